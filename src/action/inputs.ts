// The action's inputs (action.yml), read the way @actions/core reads them (INPUT_<NAME> variables) and
// validated with zod, so a bad value stops the run with one line naming the input.
import { getInput } from "@actions/core";
import { z } from "zod";
import { PR_TOOLS } from "../config/schema.ts";
import { ConfigurationError } from "../errors.ts";

export interface ActionInputs {
  githubToken: string;
  llm: { baseUrl?: string; apiKey?: string; model?: string };
  /** Automatic PR tools; undefined keeps `.github/steward.yml`'s `pr.auto`. */
  tools: Array<(typeof PR_TOOLS)[number]> | undefined;
  /** A steward.yml in the workspace; undefined reads the repository's `.github/steward.yml` via the API. */
  configPath: string | undefined;
  /** The SQLite file holding the similar-issues index (cached by the workflow). */
  indexPath: string;
}

export const DEFAULT_INDEX_PATH = ".steward/index.db";

const toolList = z
  .array(z.enum(PR_TOOLS, { error: `expected PR tools from: ${PR_TOOLS.join(", ")}` }))
  .max(PR_TOOLS.length);

function opt(name: string): string | undefined {
  const v = getInput(name).trim();
  return v === "" ? undefined : v;
}

/** "describe, review" or one per line; "none" turns automatic tools off. */
export function parseTools(raw: string | undefined): ActionInputs["tools"] {
  if (raw === undefined) return undefined;
  const words = raw
    .slice(0, 200)
    .split(/[\s,]+/)
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 1 && words[0] === "none") return [];
  const r = toolList.safeParse([...new Set(words)]);
  if (!r.success) throw new ConfigurationError(`input tools: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

export function readInputs(): ActionInputs {
  const githubToken = opt("github_token");
  if (!githubToken)
    throw new ConfigurationError(
      "input github_token: expected a token (the default is the workflow's github.token; set `permissions:` in the workflow)",
    );
  const baseUrl = opt("llm_base_url");
  if (baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(baseUrl))
    throw new ConfigurationError(
      "input llm_base_url: expected an http(s) URL such as https://api.openai.com/v1",
    );
  return {
    githubToken,
    llm: { baseUrl, apiKey: opt("llm_api_key"), model: opt("llm_model") },
    tools: parseTools(opt("tools")),
    configPath: opt("config"),
    indexPath: opt("index_path") ?? DEFAULT_INDEX_PATH,
  };
}
