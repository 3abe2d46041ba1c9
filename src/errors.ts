// Typed errors. Everything thrown across a module boundary is one of these, so the job runner can
// decide between retry (transient) and dead-letter (permanent), and users get an actionable message.

export class StewardError extends Error {
  /** Whether retrying the same work later may succeed. */
  readonly transient: boolean;
  /** Milliseconds the caller should wait before retrying, when the remote side said so. */
  readonly retryAfterMs: number | undefined;
  /** A sentence a maintainer can act on; posted on GitHub when the job gives up. */
  readonly userMessage: string;

  constructor(
    message: string,
    opts: { transient?: boolean; retryAfterMs?: number; userMessage?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.transient = opts.transient ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.userMessage = opts.userMessage ?? message;
  }
}

/** Bad environment, bad `.github/steward.yml`, unknown tool names. Never retried. */
export class ConfigurationError extends StewardError {}

/** A GitHub REST/GraphQL call failed. 429/5xx/secondary limits are transient. */
export class GitHubAPIError extends StewardError {
  readonly status: number | undefined;
  constructor(
    message: string,
    opts: {
      status?: number;
      transient?: boolean;
      retryAfterMs?: number;
      userMessage?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts);
    this.status = opts.status;
  }
}

/** The LLM endpoint failed (network, 429, 5xx, timeout). */
export class LLMError extends StewardError {}

/** The LLM answered, but the answer failed validation even after the repair re-ask. */
export class LLMOutputError extends StewardError {
  readonly issues: string[];
  constructor(message: string, issues: string[], opts: { userMessage?: string } = {}) {
    super(message, { transient: false, userMessage: opts.userMessage });
    this.issues = issues;
  }
}

/** No LLM is configured; LLM-backed steps are skipped with a visible note. */
export class LLMNotConfiguredError extends StewardError {
  constructor() {
    super("LLM not configured", {
      transient: false,
      userMessage:
        "No LLM is configured for this Steward installation. Set `LLM_API_KEY` (and optionally `LLM_BASE_URL` and `LLM_MODEL`) in the environment of the Steward server to enable this step.",
    });
  }
}

/** The installation's daily token budget is spent. */
export class BudgetExceededError extends StewardError {}

/** The actor is not allowed to do what they asked. Never retried. */
export class PermissionError extends StewardError {}

/** Input that can never succeed: malformed payloads, garbage files. Never retried. */
export class InvalidInputError extends StewardError {}

export function isTransient(err: unknown): boolean {
  return err instanceof StewardError ? err.transient : false;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
