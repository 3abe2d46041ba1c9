import type { Migration } from "../types.ts";
import { foundation } from "./001_foundation.ts";
import { search } from "./020_search.ts";
import { incidents } from "./030_incidents.ts";
import { agents } from "./040_agents.ts";
import { approvals } from "./050_approvals.ts";
import { deployArgv } from "./051_deploy_argv.ts";
import { otlp } from "./070_otlp.ts";
import { fileIdentity } from "./080_file_identity.ts";

// Version ranges by area, so areas can add migrations without colliding:
//   1–9 foundation · 10–19 PR tools · 20–29 issue intelligence · 30–39 incidents · 40–49 workers · 70–74 OTLP intake
//   50–54 approvals bound to what was approved (issue 9 A) · 80–84 outside-in defects (issue 10)
export const migrations: Migration[] = [
  foundation,
  search,
  incidents,
  agents,
  approvals,
  deployArgv,
  otlp,
  fileIdentity,
];
