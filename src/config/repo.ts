import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { DEFAULT_CONFIG, type RepoConfig, repoConfigSchema } from "./schema.ts";

export const CONFIG_PATH = ".github/steward.yml";
export const CONFIG_FILE = "steward.yml";

export type ConfigResult =
  | { ok: true; config: RepoConfig }
  | { ok: false; config: RepoConfig; errors: string[] };

/** "pr.auto[1]: expected a PR tool: describe, review, improve" — one line per problem. */
export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.slice(0, 20).map((i) => {
    const path = i.path.reduce<string>(
      (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      "",
    );
    if (i.code === "unrecognized_keys") {
      const keys = (i as { keys: string[] }).keys.join(", ");
      const hint = path ? "" : " (expected sections: pr, issues, incidents, notify, agents)";
      return `${path || "(root)"}: unknown key${keys.includes(",") ? "s" : ""} ${keys}${hint}`;
    }
    return `${path || "(root)"}: ${i.message}`;
  });
}

/**
 * Validates a parsed config object. An invalid config never throws: the caller gets the defaults plus
 * the list of problems, so jobs keep running and maintainers are told once what to fix.
 */
export function validateConfig(raw: unknown): ConfigResult {
  if (raw === null || raw === undefined) return { ok: true, config: DEFAULT_CONFIG };
  const r = repoConfigSchema.safeParse(stripExtends(raw));
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, config: DEFAULT_CONFIG, errors: formatIssues(r.error.issues) };
}

/** Parses YAML text (for `steward config check FILE`). */
export function validateConfigText(text: string): ConfigResult {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, maxAliasCount: 100, logLevel: "error" });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { ok: false, config: DEFAULT_CONFIG, errors: [`YAML: ${msg}`] };
  }
  if (raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    return {
      ok: false,
      config: DEFAULT_CONFIG,
      errors: ["(root): expected a mapping of sections (pr, issues, incidents, notify, agents)"],
    };
  }
  return validateConfig(raw);
}

function stripExtends(raw: unknown): unknown {
  if (raw && typeof raw === "object" && !Array.isArray(raw) && "_extends" in raw) {
    const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
    return rest;
  }
  return raw;
}
