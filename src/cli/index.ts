import type { CliCommand } from "./types.ts";

// One line per subcommand. Commands are imported lazily so `steward --help` stays fast and a
// command's heavy dependencies load only when it runs.
export const commands: Record<string, () => Promise<CliCommand>> = {
};
