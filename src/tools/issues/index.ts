// Issue intelligence jobs: triage after the grace window, index maintenance, the PR↔issue mapping
// and the slash commands. The pure parts live in issue-score, issue-map, similar, search, analyze.
import type { Services } from "../../app/services.ts";
import type { MapPayload, TriagePayload } from "../../events/issues.ts";
import type { JobHandler } from "../../jobs/types.ts";
import { getMeta, removeDoc } from "../../search/store.ts";
import { issueCommands } from "./commands.ts";
import { issueJobContext } from "./context.ts";
import { syncIndex } from "./index-sync.ts";
import { kvGet, kvSet } from "./kv.ts";
import { mapPrIssues } from "./map.ts";
import { lazyNotifier } from "./notify.ts";
import { deferForGrace, triage } from "./triage.ts";

export { loadIssueMapping } from "./map.ts";

export function issuesJobs(s: Services): Record<string, JobHandler> {
  const notifier = lazyNotifier(s);
  return {
    "issue.triage": async (job, run) => {
      const ctx = await issueJobContext(s, job, run);
      const p = job.payload as TriagePayload;
      if (!ctx.config.issues.enabled) {
        run.log.info({ number: p.number }, "issue triage skipped: issues.enabled is false");
        return;
      }
      if (await deferForGrace(ctx, p)) return;
      // One team notification per issue, whichever run (opened, or an edit coalesced into it) gets there.
      const flag = `notified:${ctx.repo}#${p.number}`;
      const notify = !(await kvGet(s.db, flag));
      const out = await triage(ctx, p.number, notifier, { automatic: true, notify });
      if (notify && !out.skipped) await kvSet(s.db, flag, String(Date.now()));
    },
    "index.update": async (job, run) => {
      // No index yet: nothing to keep current. The first triage or /similar back-fills it; until
      // then an event costs no GitHub call.
      if (!(await getMeta(s.db, job.repo!))?.backfilledAt) {
        run.log.debug({ repo: job.repo }, "index update skipped: repository not indexed yet");
        return;
      }
      await syncIndex(await issueJobContext(s, job, run));
    },
    "index.remove": async (job, run) => {
      const { number } = job.payload as { number: number };
      const removed = await removeDoc(s.db, job.repo!, number);
      run.log.info({ number, removed }, "issue removed from the index");
    },
    "pr.map-issues": async (job, run) => {
      const ctx = await issueJobContext(s, job, run);
      await mapPrIssues(ctx, job.payload as MapPayload, notifier);
    },
    ...issueCommands(s, notifier),
  };
}
