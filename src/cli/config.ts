import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { stringify } from "yaml";
import { DEFAULT_RISK } from "../agents/commands.ts";
import { validateConfigText } from "../config/repo.ts";
import { PERMISSION_LEVELS, type RepoConfig } from "../config/schema.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

const rank = (p: string) => PERMISSION_LEVELS.indexOf(p as (typeof PERMISSION_LEVELS)[number]);

/**
 * `agents.risk` may raise a command's risk above Steward's built-in floor, never lower it (a file
 * edited in a PR must not make merges approvable by triage). The config as it applies, and a
 * warning for each value that tries to go below its floor.
 */
export function applyRiskFloors(config: RepoConfig): { config: RepoConfig; warnings: string[] } {
  const warnings: string[] = [];
  const risk = { ...config.agents.risk };
  for (const [type, floor] of Object.entries(DEFAULT_RISK) as Array<[keyof typeof risk, string]>) {
    if (rank(risk[type]) < rank(floor)) {
      warnings.push(
        `agents.risk.${type}: "${risk[type]}" is below the built-in floor "${floor}", so "${floor}" applies (a repository file may raise a risk, never lower it)`,
      );
      risk[type] = floor as (typeof risk)[typeof type];
    }
  }
  return { config: { ...config, agents: { ...config.agents, risk } }, warnings };
}

export const command: CliCommand = {
  name: "config",
  summary: "Validate a .github/steward.yml offline.",
  usage: `steward config check FILE [--print]

Validates FILE against Steward's repository config schema, with no network.
Prints "ok" (and, with --print, the config as it applies: every default filled in, and each
agents.risk raised to its built-in floor) or one line per problem; exits 1 when invalid. A risk
below its floor is valid but flagged with a warning, since the floor applies instead.`,
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
    const applied = applyRiskFloors(result.config);
    io.stdout(`ok: ${file}\n`);
    for (const w of applied.warnings) io.stderr(`warning: ${w}\n`);
    if (rest.includes("--print")) io.stdout(stringify(applied.config));
    return 0;
  },
};
