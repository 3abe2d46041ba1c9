import { agentsRoute } from "./agents.ts";
import { checkRunRoute } from "./checks.ts";
import { commandRoute } from "./commands.ts";
import { incidentsRoute } from "./incidents.ts";
import { issuesRoute } from "./issues.ts";
import { prRoute } from "./pr.ts";
import type { Route } from "./types.ts";

// One entry per area. Each route is pure: it inspects the event and returns the jobs to enqueue.
export const routes: Route[] = [
  prRoute,
  commandRoute,
  issuesRoute,
  agentsRoute,
  incidentsRoute,
  checkRunRoute,
];
