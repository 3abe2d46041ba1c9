// Pure helpers around one structured call: the JSON Schema sent to the server, the system-prompt
// suffix per mode, parsing and validating the answer, and the repair message. No I/O.
import { z } from "zod";

export type WireMode = "json_schema" | "json_object";

/**
 * JSON Schema of what the model must produce. The contract: every instance valid under the schema
 * sent is accepted by `checkAnswer`. zod's input side alone breaks it in two places, so both are
 * tightened here for every tool at once:
 * - a `pipe` whose second half is stricter (e.g. any string, then trimmed and lower-cased into an
 *   enum) sends the second half, so a server enforcing the schema (OpenAI structured outputs, vLLM)
 *   cannot produce a value that is refused afterwards;
 * - a trimmed string with a minimum length gets a pattern that needs that many non-space characters,
 *   since "   " has length 3 but trims to "".
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: tightenNode,
  }) as Record<string, unknown>;
  // Some OpenAI-compatible servers reject the meta-schema key inside response_format.
  const { $schema: _ignored, ...rest } = js;
  return dropSafeIntBounds(rest) as Record<string, unknown>;
}

type ZodDef = {
  type: string;
  in?: { _zod: { def: ZodDef; traits: Set<string> } };
  out?: z.ZodType & { _zod: { def: ZodDef; traits: Set<string> } };
  checks?: Array<{ _zod: { def: { check: string } } }>;
};

function tightenNode(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const def = (ctx.zodSchema as { _zod: { def: ZodDef } })._zod.def;
  const json = ctx.jsonSchema;
  if (def.type === "pipe" && def.in && def.out) {
    const inIsTransform = def.in._zod.traits.has("$ZodTransform");
    const outIsTransform = def.out._zod.traits.has("$ZodTransform");
    if (inIsTransform || outIsTransform) return;
    const strict = jsonSchemaOf(def.out);
    for (const k of Object.keys(json)) delete json[k];
    Object.assign(json, strict);
    return;
  }
  if (def.type === "string" && typeof json.minLength === "number" && json.minLength > 0) {
    const trims = def.checks?.some((c) => c._zod.def.check === "overwrite") ?? false;
    if (trims && json.pattern === undefined) json.pattern = nonSpacePattern(json.minLength);
  }
}

// At least n characters between the first and the last non-space character, both included.
function nonSpacePattern(n: number): string {
  return n === 1 ? "\\S" : `\\S[\\s\\S]{${n - 2},}\\S`;
}

// zod writes ±Number.MAX_SAFE_INTEGER bounds on every integer: noise that costs prompt tokens.
function dropSafeIntBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropSafeIntBounds);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "minimum" && v === Number.MIN_SAFE_INTEGER) continue;
    if (k === "maximum" && v === Number.MAX_SAFE_INTEGER) continue;
    out[k] = dropSafeIntBounds(v);
  }
  return out;
}

/** The system prompt sent with the caller's instructions, per structured-output mode. */
export function systemPromptFor(mode: WireMode, system: string, name: string, schemaText: string): string {
  if (mode === "json_schema") {
    return `${system}\n\nAnswer with a single JSON object that matches the "${name}" schema, and nothing else.`;
  }
  return `${system}\n\nAnswer with a single JSON object, and nothing else (no prose, no code fence), that matches this JSON Schema ("${name}"):\n${schemaText}`;
}

/** Drops a surrounding ```json fence or prose around the first JSON object or array. */
export function extractJson(content: string): string {
  const text = content.trim();
  const fenced = /```[a-zA-Z0-9_-]*[ \t]*\n([\s\S]*?)\n?```/.exec(text);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  if (text.startsWith("{") || text.startsWith("[")) return text;
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}

/** "code_suggestions[0].relevant_file", or "(root)". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}

export type Checked<T> = { ok: true; data: T } | { ok: false; issues: string[] };

/** Parses and validates one answer; issues are "path: message" lines for the repair re-ask. */
export function checkAnswer<T>(
  schema: z.ZodType<T>,
  content: string | null | undefined,
  meta: { refusal?: string | null; finishReason?: string | null } = {},
): Checked<T> {
  const extra: string[] = [];
  if (meta.finishReason === "length") {
    extra.push("(root): the answer was cut off at the output token limit; answer more briefly");
  }
  if (meta.refusal)
    return { ok: false, issues: [`(root): the model refused: ${meta.refusal.slice(0, 300)}`] };
  if (!content?.trim())
    return { ok: false, issues: ["(root): the answer was empty; expected a JSON object", ...extra] };
  let value: unknown;
  try {
    value = JSON.parse(extractJson(content));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, issues: [`(root): not valid JSON (${why})`, ...extra] };
  }
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data };
  return {
    ok: false,
    issues: [...r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`), ...extra],
  };
}

/** The follow-up user message of the one repair re-ask. */
export function repairMessage(name: string, issues: string[]): string {
  const list = issues
    .slice(0, 30)
    .map((i) => `- ${i}`)
    .join("\n");
  const more = issues.length > 30 ? `\n- … and ${issues.length - 30} more` : "";
  return `Your previous answer does not match the "${name}" schema. Validation errors (path: message):\n${list}${more}\n\nReply with the corrected JSON object only. Keep everything that was already right.`;
}
