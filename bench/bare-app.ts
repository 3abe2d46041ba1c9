// Baseline for bench:intake: a bare Probot app that only verifies signatures (no store, no routing).
import { Probot, Server } from "probot";
import pino from "pino";

const log = pino({ level: "warn" });
const server = new Server({
  host: "127.0.0.1",
  port: Number(process.env.PORT),
  log,
  Probot: Probot.defaults({
    appId: 1,
    privateKey: process.env.PRIVATE_KEY!,
    secret: process.env.WEBHOOK_SECRET!,
    log,
  }),
  enableStaticFiles: false,
});
await server.load((app) => {
  app.onAny(async () => {});
});
await server.start();
console.log("ready");
