import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node bin/steward.js ARGS` (the `steward` entry point) with the given environment (no inherited secrets). */
export function spawnSteward(args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, [resolve(ROOT, "bin/steward.js"), ...args], {
    // Not the checkout: a developer's .env there must not leak into the process under test.
    cwd: opts.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitHealthy(port: number, proc?: Proc): Promise<void> {
  await waitFor(
    async () => {
      if (proc && proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.status === 200 ? true : undefined;
    },
    `server on ${port} to become healthy${proc ? `; output so far:\n${proc.output()}` : ""}`,
  );
}
