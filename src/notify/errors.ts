import { StewardError } from "../errors.ts";

/**
 * A webhook delivery failed. `transient` (429, 5xx, timeouts, network errors, Lark's frequency
 * limits) means retrying later may succeed. Messages never contain the webhook URL: it is a credential.
 */
export class NotifyError extends StewardError {
  readonly channel: string;
  readonly status: number | undefined;
  constructor(
    message: string,
    opts: { channel: string; status?: number; transient?: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, opts);
    this.channel = opts.channel;
    this.status = opts.status;
  }
}

export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}
