import type { Services } from "../app/services.ts";
import type { RouteHandler } from "./types.ts";

// HTTP routes contributed by feature areas (e.g. the worker API under /api/workers).
export function extraRoutes(_s: Services): RouteHandler[] {
  return [];
}
