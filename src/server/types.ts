import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * An extra HTTP route mounted beside Probot's webhook middleware (health, metrics, the worker API).
 * Returns true when it handled the request, false to let the next handler try.
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
