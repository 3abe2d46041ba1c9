// GitHub's published REST description (@octokit/openapi, GitHub Enterprise Server 3.19, the flavour
// Steward talks to when GHE_HOST is set) as a router and a validator. Every request the simulator
// receives is matched to exactly one documented operation; its path and query parameters are
// type-checked and its JSON body is validated against the operation's request schema with ajv.
// Responses can be validated against the documented response schema too, to keep the simulator honest.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
export const DESCRIPTION = "ghes-3.19";

type Json = Record<string, any>;

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  /** Path parameter names in template order. */
  names: string[];
  regex: RegExp;
  /** Literal segments: more literal segments win over templated ones ("/issues/comments" beats "/issues/{n}"). */
  literals: number;
  op: Json;
}

export interface Match {
  operation: Operation;
  params: Record<string, string>;
}

let spec: Json | undefined;
let operations: Operation[] | undefined;
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): Json {
  if (!spec) {
    // A private copy (the renderer reads GitHub's examples from the untouched one), converted on parse.
    const file = require.resolve(`@octokit/openapi/generated/${DESCRIPTION}.json`);
    spec = JSON.parse(readFileSync(file, "utf8"), (_key, value) => fromOpenApiNullable(value)) as Json;
  }
  return spec;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [T, "null"]` (and null added to an enum), or
 * `anyOf: [schema, {type: "null"}]` where there is no `type` (ajv refuses `nullable` without one).
 */
function fromOpenApiNullable(node: any): any {
  if (node === null || typeof node !== "object" || Array.isArray(node) || node.nullable !== true) return node;
  const out: Json = { ...node };
  delete out.nullable;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function validator(): Ajv {
  if (ajv) return ajv;
  // OpenAPI 3.0 schemas: `nullable`, `example`, `x-github` and friends are not JSON Schema keywords.
  ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  // GitHub's description uses a few formats ajv-formats does not define.
  for (const f of ["repo.nwo", "ssh-key", "ssh-key fingerprint", "uri-template", "binary"])
    ajv.addFormat(f, true);
  ajv.addSchema(load(), "gh");
  return ajv;
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

/** A compiled validator for the schema at `pointer` (segments) inside the description. */
function compileAt(segments: string[]): ValidateFunction {
  const ref = `gh#/${segments.map(escapePointer).join("/")}`;
  let fn = compiled.get(ref);
  if (!fn) {
    fn = validator().compile({ $ref: ref });
    compiled.set(ref, fn);
  }
  return fn;
}

export function resolveRef<T = Json>(node: Json): T {
  let n = node;
  while (n && typeof n.$ref === "string") {
    const parts = n.$ref.replace(/^#\//, "").split("/");
    n = parts.reduce((acc: Json, p: string) => acc[p.replace(/~1/g, "/").replace(/~0/g, "~")], load());
  }
  return n as T;
}

function allOperations(): Operation[] {
  if (operations) return operations;
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(load().paths as Json)) {
    for (const method of ["get", "put", "post", "patch", "delete", "head"]) {
      const op = (item as Json)[method];
      if (!op) continue;
      const names: string[] = [];
      const segs = template.split("/").slice(1);
      let literals = 0;
      const pattern = segs
        .map((seg, i) => {
          const m = /^\{([^}]+)\}$/.exec(seg);
          if (!m) {
            literals++;
            return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          }
          names.push(m[1] as string);
          // A trailing {path} or {ref} may span slashes (contents paths, git refs).
          const last = i === segs.length - 1;
          return last && (m[1] === "path" || m[1] === "ref") ? "(.+)" : "([^/]+)";
        })
        .join("/");
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        template,
        names,
        regex: new RegExp(`^/${pattern}$`),
        literals,
        op,
      });
    }
  }
  out.sort((a, b) => b.literals - a.literals);
  operations = out;
  return out;
}

/** The documented operation for METHOD path (path without the /api/v3 prefix), or undefined. */
export function matchOperation(method: string, path: string): Match | undefined {
  for (const operation of allOperations()) {
    if (operation.method !== method) continue;
    const m = operation.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    operation.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] as string);
    });
    return { operation, params };
  }
  return undefined;
}

/** Coerces a path or query string to the parameter's schema type, or returns an error message. */
function coerce(raw: string, schema: Json): { value: unknown } | { error: string } {
  const s = resolveRef(schema);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === "integer" || type === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(raw)) return { error: `expected ${type}, got "${raw.slice(0, 40)}"` };
    const n = Number(raw);
    if (type === "integer" && !Number.isInteger(n)) return { error: `expected integer, got "${raw}"` };
    return { value: n };
  }
  if (type === "boolean") {
    if (raw !== "true" && raw !== "false") return { error: `expected boolean, got "${raw}"` };
    return { value: raw === "true" };
  }
  if (type === "array") return { value: raw.split(",") };
  return { value: raw };
}

function errorsText(fn: ValidateFunction): string {
  return (fn.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "(root)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`)
    .join("; ");
}

/**
 * Problems with one request against its operation: path and query parameters typed (unknown query
 * parameters are problems too: GitHub ignores them silently, which hides a typo), required
 * parameters present, and the JSON body valid against the request schema.
 */
export function validateRequest(
  match: Match,
  query: URLSearchParams,
  body: unknown,
  hasBody: boolean,
): { problems: string[]; query: Record<string, unknown> } {
  const problems: string[] = [];
  const typedQuery: Record<string, unknown> = {};
  const params = (match.operation.op.parameters ?? []) as Json[];
  const known = new Set<string>();
  for (const [i, p0] of params.entries()) {
    const p = resolveRef(p0);
    if (p.in === "path") {
      const raw = match.params[p.name];
      if (raw === undefined) {
        problems.push(`path parameter ${p.name} missing`);
        continue;
      }
      const c = coerce(raw, p.schema);
      if ("error" in c) {
        problems.push(`path parameter ${p.name}: ${c.error}`);
        continue;
      }
      const schemaFn = compileParamSchema(match.operation, i);
      if (!schemaFn(c.value)) problems.push(`path parameter ${p.name}: ${errorsText(schemaFn)}`);
    } else if (p.in === "query") {
      known.add(p.name);
      const raw = query.get(p.name);
      if (raw === null) {
        if (p.required) problems.push(`query parameter ${p.name} is required`);
        continue;
      }
      const c = coerce(raw, p.schema);
      if ("error" in c) {
        problems.push(`query parameter ${p.name}: ${c.error}`);
        continue;
      }
      const schemaFn = compileParamSchema(match.operation, i);
      if (!schemaFn(c.value)) problems.push(`query parameter ${p.name}: ${errorsText(schemaFn)}`);
      typedQuery[p.name] = c.value;
    }
  }
  for (const name of query.keys()) {
    if (!known.has(name))
      problems.push(`query parameter ${name} is not documented for ${match.operation.operationId}`);
  }
  const rb = match.operation.op.requestBody ? resolveRef(match.operation.op.requestBody) : undefined;
  if (rb) {
    if (!hasBody) {
      if (rb.required) problems.push("request body is required");
    } else if (rb.content?.["application/json"]) {
      const fn = compileAt([
        "paths",
        match.operation.template,
        match.operation.method.toLowerCase(),
        "requestBody",
        "content",
        "application/json",
        "schema",
      ]);
      if (!fn(body)) problems.push(`body: ${errorsText(fn)}`);
    }
  } else if (
    hasBody &&
    body !== undefined &&
    !(typeof body === "object" && body && Object.keys(body).length === 0)
  ) {
    problems.push(`${match.operation.operationId} takes no request body`);
  }
  return { problems, query: typedQuery };
}

function compileParamSchema(operation: Operation, index: number): ValidateFunction {
  const p0 = (operation.op.parameters as Json[])[index] as Json;
  if (typeof p0.$ref === "string") {
    const parts = (p0.$ref as string).replace(/^#\//, "").split("/");
    return compileAt([...parts, "schema"]);
  }
  return compileAt([
    "paths",
    operation.template,
    operation.method.toLowerCase(),
    "parameters",
    String(index),
    "schema",
  ]);
}

/** Problems with a response body against the documented schema for that status (empty when undocumented). */
export function validateResponse(match: Match, status: number, body: unknown): string[] {
  const responses = match.operation.op.responses ?? {};
  const entry = responses[String(status)];
  if (!entry) return [`status ${status} is not documented for ${match.operation.operationId}`];
  const r = resolveRef(entry);
  if (!r.content?.["application/json"]?.schema) return [];
  const ptr = entry.$ref
    ? [...(entry.$ref as string).replace(/^#\//, "").split("/"), "content", "application/json", "schema"]
    : [
        "paths",
        match.operation.template,
        match.operation.method.toLowerCase(),
        "responses",
        String(status),
        "content",
        "application/json",
        "schema",
      ];
  const fn = compileAt(ptr);
  return fn(body) ? [] : [`response ${status}: ${errorsText(fn)}`];
}
