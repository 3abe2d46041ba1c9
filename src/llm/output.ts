// Pure helpers around one structured call: the JSON Schema sent to the server, the system-prompt
// suffix per mode, parsing and validating the answer, and the repair message. No I/O.
import { z } from "zod";

export type WireMode = "json_schema" | "json_object";

/** JSON Schema of what the model must produce (the schema's input side, before any transform). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  // Some OpenAI-compatible servers reject the meta-schema key inside response_format.
  const { $schema: _ignored, ...rest } = js;
  return dropSafeIntBounds(rest) as Record<string, unknown>;
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
