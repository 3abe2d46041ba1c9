/** Exponential backoff with ±25% jitter; a server's retry-after wins when it asks for longer. */
export function backoffMs(
  attempt: number,
  opts: { baseMs?: number; maxMs?: number; retryAfterMs?: number; random?: () => number } = {},
): number {
  const base = opts.baseMs ?? 2_000;
  const max = opts.maxMs ?? 10 * 60_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.75 + (opts.random ?? Math.random)() * 0.5;
  const computed = Math.round(exp * jitter);
  return opts.retryAfterMs !== undefined
    ? Math.max(opts.retryAfterMs, Math.min(computed, opts.retryAfterMs * 2))
    : computed;
}
