import { readFileSync } from "node:fs";
import { ConfigurationError, errorMessage, StewardError } from "../errors.ts";
import { commands } from "./index.ts";
import { terminalSafe } from "./terminal.ts";
import { CliUsageError, type CliIO } from "./types.ts";

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

/** The version in package.json, read once on `--version`. */
export function stewardVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

async function topHelp(): Promise<string> {
  const lines = ["Usage: steward <command> [options]", "", "Commands:"];
  for (const [name, load] of Object.entries(commands)) {
    const cmd = await load();
    lines.push(`  ${name.padEnd(14)} ${cmd.summary}`);
  }
  lines.push(
    "",
    "Run `steward <command> --help` for a command's options; `steward --version` for the version.",
  );
  return lines.join("\n") + "\n";
}

/**
 * The io every command gets: whatever it prints, outside text included, loses terminal control
 * characters on the way out (src/cli/terminal.ts). The spinner keeps a raw channel.
 */
export function safeIO(io: CliIO): CliIO {
  return {
    ...io,
    stdout: (t) => io.stdout(terminalSafe(t)),
    stderr: (t) => io.stderr(terminalSafe(t)),
    control: io.control ?? io.stderr,
  };
}

/** Runs one CLI invocation and returns its exit code. */
export async function main(argv: string[], rawIO: CliIO = processIO()): Promise<number> {
  const io = safeIO(rawIO);
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout(`steward ${stewardVersion()}\n`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(await topHelp());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.stderr(`steward: unknown command '${name}'. Run 'steward --help' for the list.\n`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    if (cmd.handlesHelp && rest[0] !== "--help" && rest[0] !== "-h") return cmd.run(rest, io);
    io.stdout(cmd.usage.endsWith("\n") ? cmd.usage : cmd.usage + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.stderr(`steward ${name}: ${err.message}\nUsage: ${cmd.usage.split("\n")[0]}\n`);
      return 2;
    }
    if (err instanceof ConfigurationError) {
      io.stderr(`steward ${name}: ${err.message}\n`);
      return 1;
    }
    // A typed error carries the sentence a user can act on (e.g. "check LLM_API_KEY" on a 401).
    const message = err instanceof StewardError ? err.userMessage : errorMessage(err);
    io.stderr(`steward ${name}: ${message}\n`);
    return 1;
  }
}
