// A one-line spinner on stderr while a slow call runs (an LLM review takes tens of seconds). Only on
// a terminal: piped or captured output stays clean. The line is erased when the call ends.

import type { CliIO } from "./types.ts";

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

export async function withProgress<T>(
  io: CliIO,
  label: string,
  fn: () => Promise<T>,
  everyMs = 200,
): Promise<T> {
  if (!(io.stderrIsTTY ?? false)) return fn();
  const raw = io.control ?? io.stderr;
  const started = Date.now();
  let frame = 0;
  const draw = () => {
    const secs = Math.floor((Date.now() - started) / 1000);
    raw(`\r${FRAMES[frame++ % FRAMES.length]} ${label}… ${secs}s`);
  };
  draw();
  const timer = setInterval(draw, everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    raw("\r\x1b[2K");
  }
}
