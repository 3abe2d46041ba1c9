import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// The built-in local worker: claim a run over HTTP, run the operator's CLI in a scratch checkout,
// stream progress, post the result. The ticket context reaches the CLI only as a FILE (and env vars
// naming it); it is never interpolated into a shell string.

const run = promisify(execFile);

export interface RunnerOptions {
  url: string;
  secret: string;
  /** The operator-configured command line (trusted config, run with `sh -c`). */
  command: string;
  workerId: string;
  /** A local git repository to clone into each scratch dir; otherwise an empty temp dir. */
  repoPath?: string;
  once?: boolean;
  waitMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

async function api(o: RunnerOptions, path: string, auth: string, body?: unknown, method = "POST") {
  const url = `${o.url.replace(/\/$/, "")}/api/workers${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: o.signal,
    });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, ENOTFOUND …) and the URL are what help.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Error(`cannot reach Steward at ${url}: ${why} (check STEWARD_URL)`);
  }
  const text = await res.text();
  if (res.status >= 400) throw new Error(`worker API ${url}: ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Claims and processes runs; returns how many it finished. With `once`, stops after one claim attempt. */
export async function runAgentLoop(o: RunnerOptions): Promise<number> {
  let done = 0;
  while (!o.signal?.aborted) {
    const c = await api(o, "/claim", o.secret, { workerId: o.workerId, waitMs: o.waitMs ?? 25_000 });
    if (c.status === 204) {
      if (o.once) return done;
      continue;
    }
    await processRun(o, c.json);
    done++;
    if (o.once) return done;
  }
  return done;
}

async function processRun(
  o: RunnerOptions,
  claim: { run: { id: number; instructions: string }; token: string; contextText: string },
) {
  const { run: r, token } = claim;
  const scratch = mkdtempSync(join(tmpdir(), `steward-run-${r.id}-`));
  const work = join(scratch, "work");
  const meta = join(scratch, "meta");
  mkdirSync(meta);
  const contextFile = join(meta, "context.md");
  writeFileSync(contextFile, claim.contextText, { mode: 0o600 });
  writeFileSync(join(meta, "instructions.txt"), r.instructions, { mode: 0o600 });
  o.log?.(`claimed run ${r.id}`);
  const beat = setInterval(() => void api(o, `/runs/${r.id}/heartbeat`, token, {}).catch(() => {}), 10_000);
  let output = "";
  let lastSent = "";
  const flush = async () => {
    const tail = output.slice(-4000);
    if (tail && tail !== lastSent) {
      lastSent = tail;
      await api(o, `/runs/${r.id}/progress`, token, { message: tail }).catch(() => {});
    }
  };
  const ticker = setInterval(() => void flush(), 2_000);
  try {
    if (o.repoPath) await run("git", ["clone", "--quiet", "--", o.repoPath, work]);
    else mkdirSync(work);
    const code = await new Promise<number>((resolve) => {
      const child = spawn("sh", ["-c", o.command], {
        cwd: work,
        env: {
          ...process.env,
          STEWARD_CONTEXT_FILE: contextFile,
          STEWARD_INSTRUCTIONS_FILE: join(meta, "instructions.txt"),
          STEWARD_RUN_ID: String(r.id),
          STEWARD_RUN_TOKEN: token,
          STEWARD_URL: o.url,
          WORKER_SHARED_SECRET: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const take = (b: Buffer) => {
        output = (output + b.toString("utf8")).slice(-200_000);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.on("close", (c) => resolve(c ?? 1));
      child.on("error", () => resolve(127));
    });
    clearInterval(ticker);
    await flush();
    let commit: string | undefined;
    if (o.repoPath) commit = (await run("git", ["rev-parse", "HEAD"], { cwd: work })).stdout.trim();
    await api(o, `/runs/${r.id}/result`, token, {
      status: code === 0 ? "completed" : "failed",
      summary: output.slice(-20_000) || "(no output)",
      ...(commit ? { commit } : {}),
      ...(code === 0 ? {} : { error: `command exited with status ${code}` }),
    });
    o.log?.(`run ${r.id} ${code === 0 ? "completed" : "failed"}`);
  } finally {
    clearInterval(beat);
    clearInterval(ticker);
    rmSync(scratch, { recursive: true, force: true });
  }
}
