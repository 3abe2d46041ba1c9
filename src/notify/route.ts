import picomatch from "picomatch";
import type { EventKind, NotifyRoute } from "./schema.ts";

// Pure routing: which configured channels an event goes to. No I/O, no clock.

/** Dead-lettered jobs (kind "failure") always go here too; its URL is `STEWARD_NOTIFY_ERRORS`. */
export const ERRORS_CHANNEL = "errors";

export interface RoutableEvent {
  kind: EventKind;
  paths?: readonly string[];
  labels?: readonly string[];
}

const DEFAULT_EVENTS: readonly EventKind[] = ["pr", "issue", "incident"];

type PathMatcher = (path: string) => boolean;

/**
 * Globs are picomatch patterns, dotfiles included. A pattern starting with `!` excludes: a path
 * matches when it matches some include (or there are only excludes) and no exclude.
 */
export function compilePathGlobs(globs: readonly string[]): PathMatcher | null {
  const include = globs.filter((g) => g && !g.startsWith("!"));
  const exclude = globs.filter((g) => g.startsWith("!") && g.length > 1).map((g) => g.slice(1));
  if (!include.length && !exclude.length) return null;
  const yes = include.length ? picomatch(include, { dot: true }) : () => true;
  const no = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  return (path) => {
    const p = normalisePath(path);
    return p !== "" && yes(p) && !no(p);
  };
}

function normalisePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/^\/+/, "");
}

// GitHub label names are unique case-insensitively, so "Bug" in the config matches the "bug" label.
function labelKey(label: string): string {
  return label.trim().toLowerCase();
}

export function routeMatches(
  event: RoutableEvent,
  route: NotifyRoute,
  matcher?: PathMatcher | null,
): boolean {
  const events = route.events ?? DEFAULT_EVENTS;
  if (!events.includes(event.kind)) return false;
  const globs = route.paths ?? [];
  const labels = route.labels ?? [];
  if (!globs.length && !labels.length) return true;
  const match = matcher === undefined ? compilePathGlobs(globs) : matcher;
  if (match && (event.paths ?? []).some(match)) return true;
  if (labels.length && event.labels?.length) {
    const wanted = new Set(labels.map(labelKey));
    if (event.labels.some((l) => wanted.has(labelKey(l)))) return true;
  }
  return false;
}

/**
 * The channels an event is sent to, each once, in config order. Failures also go to the errors
 * channel (last, unless a route already named it).
 */
export function routeNotification(event: RoutableEvent, routes: readonly NotifyRoute[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (channel: string) => {
    const key = channelKey(channel);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(channel);
  };
  for (const route of routes) {
    if (routeMatches(event, route)) add(route.channel);
  }
  if (event.kind === "failure") add(ERRORS_CHANNEL);
  return out;
}

/** Channels that differ only in case or punctuation share one environment variable, so one identity. */
export function channelKey(channel: string): string {
  return channel
    .trim()
    .replace(/^#+/, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "_");
}

/** `STEWARD_NOTIFY_<CHANNEL>`: "#dev-backend" → STEWARD_NOTIFY_DEV_BACKEND. */
export function channelEnvKey(channel: string): string {
  return `STEWARD_NOTIFY_${channelKey(channel)}`;
}
