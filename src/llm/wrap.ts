// Turns the openai SDK's errors into LLMError with a transient flag the job runner retries on and a
// userMessage a maintainer can act on. Runs after the SDK has spent its own retries.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { LLMError } from "../errors.ts";

export interface WrapContext {
  model: string;
  host: string;
  timeoutMs: number;
  /** Scrubbed from any provider message that is passed on. */
  apiKey: string | undefined;
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMsFrom(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = headers?.get("retry-after");
  if (!ra) return undefined;
  const secs = Number.parseFloat(ra);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function providerMessage(err: APIError, apiKey: string | undefined): string {
  const body = err.error as { message?: unknown } | undefined;
  let msg = typeof body?.message === "string" ? body.message : err.message;
  if (apiKey) msg = msg.split(apiKey).join("[redacted]");
  return msg.replace(/\s+/g, " ").slice(0, 300);
}

function errorCode(err: APIError): string | undefined {
  const e = err as { code?: unknown; error?: { code?: unknown } };
  const code = e.code ?? e.error?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The answer's body broke off: undici reports a socket closed mid-body as `TypeError: terminated` (cause
 * `UND_ERR_SOCKET`), outside the SDK's connection errors. Network trouble, so worth a retry.
 */
function droppedConnection(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNRESET|EPIPE)$/.test(code))
      return true;
    if (e instanceof TypeError && e.message === "terminated") return true;
  }
  return false;
}

export function wrapLlmError(err: unknown, ctx: WrapContext): LLMError {
  if (err instanceof LLMError) return err;
  if (err instanceof APIUserAbortError) {
    return new LLMError("LLM request aborted", {
      transient: true,
      cause: err,
      userMessage:
        "The LLM request was cancelled (Steward is shutting down or the job was stopped); it will be retried.",
    });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new LLMError(`LLM request to ${ctx.host} timed out after ${ctx.timeoutMs} ms`, {
      transient: true,
      cause: err,
      userMessage: `The LLM endpoint (${ctx.host}) did not answer within ${ctx.timeoutMs} ms. Steward retries this automatically; if it keeps happening, raise LLM_TIMEOUT_MS or check the endpoint.`,
    });
  }
  if (err instanceof APIConnectionError) {
    return new LLMError(`LLM endpoint ${ctx.host} unreachable`, {
      transient: true,
      cause: err,
      userMessage: `Steward could not reach the LLM endpoint (${ctx.host}). Steward retries this automatically; check LLM_BASE_URL and the network if this persists.`,
    });
  }
  if (!(err instanceof APIError) && droppedConnection(err)) {
    return new LLMError(`LLM endpoint ${ctx.host} closed the connection mid-answer`, {
      transient: true,
      cause: err,
      userMessage: `The LLM endpoint (${ctx.host}) closed the connection before its answer was complete. Steward retries this automatically; check the endpoint or any proxy in front of it if this persists.`,
    });
  }
  if (!(err instanceof APIError)) {
    return new LLMError(`LLM call failed: ${err instanceof Error ? err.message : String(err)}`, {
      transient: false,
      cause: err,
    });
  }
  const status = err.status ?? 0;
  const retryAfterMs = retryAfterMsFrom(err.headers);
  const what = `LLM endpoint ${ctx.host} answered ${status}`;
  if (status === 429 && errorCode(err) === "insufficient_quota") {
    return new LLMError(`${what} (insufficient_quota)`, {
      transient: false,
      cause: err,
      userMessage: `The LLM account behind LLM_API_KEY has no quota left (429 insufficient_quota); add credit or use another key.`,
    });
  }
  if (status === 429 || status === 408 || status === 409 || status >= 500) {
    return new LLMError(what, {
      transient: true,
      retryAfterMs,
      cause: err,
      userMessage:
        status === 429
          ? `The LLM endpoint (${ctx.host}) is rate-limiting Steward (429). The job will be retried${retryAfterMs !== undefined ? ` after ${Math.ceil(retryAfterMs / 1000)} s` : ""}.`
          : `The LLM endpoint (${ctx.host}) failed with ${status}. The job will be retried.`,
    });
  }
  const userMessage =
    status === 401
      ? "LLM endpoint rejected the API key (401); check LLM_API_KEY."
      : status === 403
        ? `LLM endpoint refused access (403) to model "${ctx.model}"; check that LLM_API_KEY may use it.`
        : status === 404
          ? `LLM endpoint ${ctx.host} has no model "${ctx.model}" or no chat completions route (404); check LLM_MODEL and LLM_BASE_URL.`
          : `LLM endpoint rejected the request (${status}): ${providerMessage(err, ctx.apiKey)}. Check LLM_MODEL and LLM_STRUCTURED_OUTPUT.`;
  // A 401 message may echo part of the key, so it never travels on.
  const detail = status === 401 ? "" : `: ${providerMessage(err, ctx.apiKey)}`;
  return new LLMError(`${what}${detail}`, { transient: false, cause: err, userMessage });
}

/** A 400/422 that says the server does not understand `response_format: json_schema`. */
export function isJsonSchemaUnsupported(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  const text = `${err.message} ${JSON.stringify(err.error ?? "")}`;
  return /response_format|json_schema/i.test(text);
}
