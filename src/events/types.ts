import type { EnqueueInput } from "../jobs/types.ts";

/** What a route sees of a webhook delivery: the event, its payload and the ids the intake derived. */
export interface WebhookEvent {
  /** e.g. "pull_request" */
  name: string;
  /** e.g. "opened" (undefined for events without actions) */
  action: string | undefined;
  deliveryId: string;
  installationId: number | undefined;
  /** "owner/name" when the payload has a repository */
  repo: string | undefined;
  payload: any;
}

/**
 * A route turns an event into the jobs to enqueue. Routes are pure and fast: no network, no store
 * reads. Anything that needs GitHub, the LLM or config happens in the job.
 */
export type Route = (ev: WebhookEvent) => EnqueueInput[];

/**
 * A payload field as text: strings as they are, numbers and booleans spelled out, anything else (objects,
 * arrays, a malformed payload's surprises) the fallback. `String(x)` would throw on objects without a
 * prototype, and a route must never throw.
 */
export function text(v: unknown, fallback = ""): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return fallback;
}
