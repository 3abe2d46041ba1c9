// Turns Octokit's RequestError into GitHubAPIError, deciding what the job runner needs to know:
// is it worth retrying (429, 5xx, secondary rate limits, network), how long to wait, and what a
// maintainer should do when it is not (missing App permission, App not installed, bad input).

import { GitHubAPIError, StewardError } from "../errors.ts";
import { SECONDARY_LIMIT_MIN_WAIT_MS } from "./limits.ts";

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

function isRequestError(err: unknown): err is RequestErrorLike {
  return (
    err instanceof Error &&
    typeof (err as { status?: unknown }).status === "number" &&
    (err.name === "HttpError" || err.name === "RequestError" || "response" in err || "request" in err)
  );
}

function header(err: RequestErrorLike, name: string): string | undefined {
  const v = err.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** Milliseconds to wait, from `retry-after` (seconds) or `x-ratelimit-reset` (epoch seconds). */
export function retryAfterFromHeaders(
  headers: Record<string, string | number | undefined> | undefined,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = headers?.["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(String(retryAfter));
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = headers?.["x-ratelimit-reset"];
  if (reset !== undefined && Number(headers?.["x-ratelimit-remaining"]) === 0) {
    const resetMs = Number(reset) * 1000;
    if (Number.isFinite(resetMs)) return Math.max(1000, resetMs - now);
  }
  return undefined;
}

/** The App permission a failed request most likely needs, from its method and URL. */
export function permissionHint(method: string | undefined, url: string | undefined): string {
  const u = url ?? "";
  const write = method !== undefined && method.toUpperCase() !== "GET";
  const rw = write ? "Read and write" : "Read-only";
  if (/\/collaborators\/[^/]+\/permission/.test(u)) return "Metadata: Read-only";
  if (/\/check-(runs|suites)/.test(u)) return `Checks: ${rw}`;
  if (/\/(contents|git\/|merges|branches)/.test(u) || /\/pulls\/\d+\/merge$/.test(u))
    return `Contents: ${rw}`;
  if (/\/pulls(\/|$)/.test(u)) return `Pull requests: ${rw}`;
  if (/\/(issues|labels)(\/|$)/.test(u)) return `Issues: ${rw} (and Pull requests: ${rw} for pull requests)`;
  return `the permission this endpoint needs (${method ?? "?"} ${u})`;
}

function validationDetails(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  const errors = (data as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return "";
  const parts = errors.map((e) =>
    typeof e === "string"
      ? e
      : [e?.resource, e?.field, e?.code, e?.message].filter((x) => typeof x === "string").join(" "),
  );
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

/** GitHub's own words for a failure: its `message` plus any validation errors. */
export function gitHubReason(err: unknown): string {
  const source = err instanceof GitHubAPIError && isRequestError(err.cause) ? err.cause : err;
  if (!isRequestError(source)) return err instanceof Error ? err.message : String(err);
  const data = source.response?.data as { message?: unknown } | undefined;
  const message = typeof data?.message === "string" ? data.message : source.message;
  return message + validationDetails(data);
}

/** Classify one failure. Non-HTTP errors are returned unchanged unless they look like network trouble. */
export function toGitHubError(err: unknown, what: string, now: number = Date.now()): unknown {
  if (err instanceof StewardError) return err;
  if (!isRequestError(err)) {
    const code = (err as { code?: unknown; name?: unknown } | null)?.code;
    const name = (err as { name?: unknown } | null)?.name;
    const network =
      name === "AbortError" ||
      name === "TimeoutError" ||
      (typeof code === "string" && /^(ECONNRESET|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|UND_ERR_)/.test(code));
    if (!network) return err;
    return new GitHubAPIError(`${what} failed: network error`, {
      transient: true,
      cause: err,
      userMessage: `Steward could not reach GitHub while trying to ${what} (Steward retries this automatically).`,
    });
  }
  const status = err.status;
  const headers = err.response?.headers;
  const message = err.message;
  const base = `${what} failed: ${status} ${message}`;
  const opts = { status, cause: err };
  const secondary =
    status === 403 &&
    (/secondary rate limit|abuse detection/i.test(message) ||
      header(err, "retry-after") !== undefined ||
      header(err, "x-ratelimit-remaining") === "0");
  if (status === 429 || secondary) {
    const fromHeaders = retryAfterFromHeaders(headers, now);
    // GitHub's headers win; without them GitHub asks for at least a minute.
    const retryAfterMs = fromHeaders ?? SECONDARY_LIMIT_MIN_WAIT_MS;
    return new GitHubAPIError(base, {
      ...opts,
      transient: true,
      retryAfterMs,
      userMessage: `GitHub rate-limited Steward while trying to ${what} (Steward retries after about ${Math.ceil(retryAfterMs / 1000)} s).`,
    });
  }
  if (status >= 500 || status === 408) {
    return new GitHubAPIError(base, {
      ...opts,
      transient: true,
      retryAfterMs: retryAfterFromHeaders(headers, now),
      userMessage: `GitHub answered ${status} while Steward tried to ${what} (Steward retries this automatically).`,
    });
  }
  let userMessage: string;
  if (status === 401) {
    userMessage = `GitHub rejected Steward's credentials while trying to ${what}. Check APP_ID and PRIVATE_KEY, and that the App installation is not suspended.`;
  } else if (status === 403 && /not accessible by integration/i.test(message)) {
    userMessage = `The Steward App lacks a permission needed to ${what}. Grant "${permissionHint(err.request?.method, err.request?.url)}" in the App's settings, then accept the new permissions on the installation.`;
  } else if (status === 403) {
    userMessage = `GitHub refused to let Steward ${what} (403: ${message}). Check the App's permissions and any branch protection rules.`;
  } else if (status === 404) {
    userMessage = `GitHub could not find what Steward needed to ${what} (404). It may have been deleted, or the App is not installed on this repository or lacks access to it.`;
  } else if (status === 422) {
    userMessage = `GitHub rejected Steward's request to ${what} as invalid (422: ${gitHubReason(err)}).`;
  } else if (status === 409) {
    userMessage = `GitHub reported a conflict while Steward tried to ${what} (409: ${message}).`;
  } else {
    userMessage = `GitHub answered ${status} while Steward tried to ${what}: ${message}`;
  }
  return new GitHubAPIError(base, {
    ...opts,
    transient: false,
    userMessage,
  });
}

/** Run one GitHub call; any failure leaves as a classified GitHubAPIError. `what` completes "trying to …". */
export async function wrapGitHub<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toGitHubError(err, what);
  }
}

/** The HTTP status of a (wrapped or raw) GitHub failure, if any. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === "number" ? s : undefined;
}
