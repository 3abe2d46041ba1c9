import type { IncomingHttpHeaders } from "node:http";
import type { Renderer } from "./render.ts";
import type { SimRepo, SimState, SimUser } from "./state.ts";

export interface SimRequest {
  method: string;
  /** Path without the /api/v3 prefix. */
  path: string;
  operationId: string;
  params: Record<string, string>;
  /** Query parameters typed per the description. */
  query: Record<string, unknown>;
  body: any;
  headers: IncomingHttpHeaders;
  /** The repository named by {owner}/{repo}, when the route has one and it exists. */
  repo?: SimRepo;
  /** Who the token belongs to (the App's bot for installation tokens). */
  actor: SimUser;
  state: SimState;
  render: Renderer;
  app: { id: number; slug: string; name: string };
  /** Issues an installation token (apps/create-installation-access-token). */
  issueToken(installationId: number): { token: string; expiresAt: string };
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON (e.g. contents with the raw media type). */
  raw?: string;
}

export type Handler = (req: SimRequest) => SimResponse;

/** One request the simulator judged invalid against GitHub's description or its rules. */
export interface InvalidRequest {
  method: string;
  url: string;
  operationId?: string;
  problems: string[];
}

export interface RequestRecord {
  method: string;
  path: string;
  operationId: string;
  status: number;
  body?: unknown;
  at: number;
}

export const notFound = (): SimResponse => ({
  status: 404,
  body: {
    message: "Not Found",
    documentation_url: "https://docs.github.com/enterprise-server@3.19/rest",
    status: "404",
  },
});

/** GitHub's 422 "Validation Failed" shape. */
export function validationFailed(
  resource: string,
  field: string,
  code: string,
  message?: string,
): SimResponse {
  return {
    status: 422,
    body: {
      message: "Validation Failed",
      errors: [{ resource, field, code, ...(message ? { message } : {}) }],
      documentation_url: "https://docs.github.com/enterprise-server@3.19/rest",
      status: "422",
    },
  };
}

export const BODY_LIMIT = 65_536;

/** GitHub rejects comment, issue and PR bodies over 65,536 characters. */
export function bodyTooLong(resource: string, body: unknown): SimResponse | undefined {
  if (typeof body === "string" && body.length > BODY_LIMIT) {
    return validationFailed(
      resource,
      "body",
      "custom",
      `body is too long (maximum is ${BODY_LIMIT} characters)`,
    );
  }
  return undefined;
}

/** One page of `items` per `per_page`/`page`, with GitHub's Link header. */
export function paginate(req: SimRequest, items: unknown[]): SimResponse {
  const perPage = Math.min(Number(req.query.per_page ?? 30), 100);
  const page = Math.max(Number(req.query.page ?? 1), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const headers: Record<string, string> = {};
  if (page < last) {
    const url = (p: number) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) q.set(k, String(v));
      q.set("per_page", String(perPage));
      q.set("page", String(p));
      return `<${req.render.api}${req.path}?${q}>`;
    };
    headers.link = `${url(page + 1)}; rel="next", ${url(last)}; rel="last"`;
  }
  return { status: 200, body: slice, headers };
}
