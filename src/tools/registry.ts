import type { Services } from "../app/services.ts";
import type { JobHandler } from "../jobs/types.ts";
import { agentsJobs } from "./agents/index.ts";
import { basicJobs } from "./basic/index.ts";
import { incidentsJobs } from "./incidents/index.ts";
import { issuesJobs } from "./issues/index.ts";
import { maintenanceJobs } from "./maintenance/index.ts";
import { prJobs } from "./pr/index.ts";

// One line per tool area: a function from the shared services to that area's job handlers.
const areas: Array<(s: Services) => Record<string, JobHandler>> = [
  maintenanceJobs,
  basicJobs,
  agentsJobs,
  prJobs,
  issuesJobs,
  incidentsJobs,
];

export function createHandlers(s: Services): Record<string, JobHandler> {
  const out: Record<string, JobHandler> = {};
  for (const area of areas) Object.assign(out, area(s));
  return out;
}
