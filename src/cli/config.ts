import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { stringify } from "yaml";
import { validateConfigText } from "../config/repo.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

export const command: CliCommand = {
  name: "config",
  summary: "Validate a .github/steward.yml offline.",
  usage: `steward config check FILE [--print]

Validates FILE against Steward's repository config schema, with no network.
Prints "ok" (and the effective config with --print) or one line per problem; exits 1 when invalid.`,
  async run(argv, io) {
    const [sub, file, ...rest] = argv;
    if (sub !== "check")
      throw new CliUsageError(sub ? `unknown subcommand '${sub}'` : "missing subcommand 'check'");
    if (!file) throw new CliUsageError("missing FILE");
    const unknown = rest.filter((a) => a !== "--print");
    if (unknown.length) throw new CliUsageError(`unexpected argument '${unknown[0]}'`);
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), "utf8");
    } catch {
      io.stderr(`steward config: cannot read ${file}\n`);
      return 1;
    }
    const result = validateConfigText(text);
    if (!result.ok) {
      io.stderr(`${file} is invalid; Steward would use the defaults:\n`);
      for (const e of result.errors) io.stderr(`  ${e}\n`);
      return 1;
    }
    io.stdout(`ok: ${file}\n`);
    if (rest.includes("--print")) io.stdout(stringify(result.config));
    return 0;
  },
};
