import type { Services } from "../../app/services.ts";
import type { CommandPayload } from "../../events/commands.ts";
import { InvalidInputError } from "../../errors.ts";
import { LEVELS } from "../../github/permissions.ts";
import { mirrorStatus } from "../../incidents/github/mirror.ts";
import { statusComment } from "../../incidents/github/render.ts";
import { syncIncidents } from "../../incidents/github/sync.ts";
import type { IncidentAction } from "../../incidents/lifecycle.ts";
import { findIncidentByIssue, getIncident, transitionIncident } from "../../incidents/registry.ts";
import type { IncidentStatus } from "../../incidents/schema.ts";
import type { JobHandler } from "../../jobs/types.ts";
import { authorize, commandContext, reply } from "../command-job.ts";
import { dispatchIncident } from "./dispatch.ts";
import { issueStateHandler, prLinkHandler } from "./events.ts";

// Job handlers of the incident ↔ GitHub loop: the sync pass, fix-PR linking and `/incident` commands.

/** Enqueued by ingest events, PR links and commands; scheduled every minute by `serve`. */
export const SYNC_KIND = "incidents.sync";
export const SYNC_KEY = "incidents.sync";
const BUSY_RETRY_MS = 5_000;

const COMMAND_ACTIONS: Record<
  "ignore" | "resolve" | "reopen",
  { action: IncidentAction; to: IncidentStatus }
> = {
  ignore: { action: "ignore", to: "ignored" },
  resolve: { action: "resolve", to: "resolved" },
  reopen: { action: "reopen", to: "open" },
};

export function incidentsJobs(s: Services): Record<string, JobHandler> {
  const requestSync = () => s.enqueue({ kind: SYNC_KIND, payload: {}, dedupeKey: SYNC_KEY });
  return {
    [SYNC_KIND]: async (_job, ctx) => {
      const r = await syncIncidents(s, { log: ctx.log });
      // Another replica is mid-pass and may have read the registry before this job's cause: look again soon.
      if (r.busy)
        await s.enqueue({
          kind: SYNC_KIND,
          payload: {},
          dedupeKey: SYNC_KEY,
          runAt: Date.now() + BUSY_RETRY_MS,
        });
      else if (r.opened.length || r.mirrored.length || r.stats.length || r.resolved.length)
        ctx.log.info(
          {
            opened: r.opened.length,
            mirrored: r.mirrored.length,
            stats: r.stats.length,
            resolved: r.resolved.length,
          },
          "incident sync pass",
        );
    },

    "incidents.pr-link": prLinkHandler(s, requestSync),
    "incidents.issue-state": issueStateHandler(s),

    "command.incident": async (job) => {
      const cctx = await commandContext(s, job);
      const payload = cctx.payload as CommandPayload;
      if (payload.command.name !== "incident")
        throw new InvalidInputError("command.incident without /incident");
      const verb = payload.command.action;
      const cfg = cctx.config;
      const minimum =
        verb === "dispatch" &&
        LEVELS.indexOf(cfg.agents.min_permission) > LEVELS.indexOf(cfg.incidents.min_permission)
          ? cfg.agents.min_permission
          : cfg.incidents.min_permission;
      if (!(await authorize(cctx, minimum, `/incident ${verb}`))) return;
      const inc = await findIncidentByIssue(s.db, job.repo!, payload.number);
      if (!inc) {
        await reply(
          cctx,
          "`/incident` works on the issues Steward opens for incidents; this issue is not linked to one.",
        );
        return;
      }
      if (verb === "dispatch") {
        await dispatchIncident(s, job, cctx, inc);
        return;
      }
      const { action, to } = COMMAND_ACTIONS[verb];
      let now = await transitionIncident(s.db, inc.id, action);
      if (!now) {
        // A retried job finds its own change already made; anything else does not apply.
        const cur = await getIncident(s.db, inc.id);
        if (cur?.status !== to) {
          await reply(
            cctx,
            `Incident ${inc.id} is **${cur?.status ?? inc.status}**; \`/incident ${verb}\` does not apply to that status.`,
          );
          return;
        }
        now = cur;
      }
      await mirrorStatus(s, now, job.installationId!, cfg, { comment: false });
      const said = statusComment(now, { verificationHours: cfg.incidents.verification_hours, byHand: true });
      await reply(
        cctx,
        `${said?.body ?? `Incident ${inc.id} is now **${to}**.`}\n\n_Set by @${payload.commenter} with \`/incident ${verb}\`._`,
      );
    },
  };
}
