import { describe, expect, it } from "vitest";
import {
  compileRules,
  FINGERPRINT_VERSION,
  fingerprint,
  incidentTitle,
  normalizeFile,
  normalizeFunction,
  normalizeModule,
} from "../../src/incidents/fingerprint.ts";
import { normalizeRecord } from "../../src/incidents/normalize.ts";
import { trace, type Shape, wrap } from "./records.ts";

const fp = (rec: Record<string, unknown>, rules = compileRules([])) =>
  fingerprint(normalizeRecord(rec), rules);

const JS = trace("js-togetherjs-156.txt");
const REAL: Array<[string, Shape, string]> = [
  ["js-togetherjs-156.txt", "pino", "TypeError"],
  ["js-express-bundle-5236.txt", "winston", "TypeError"],
  ["py-urllib3-understack-645.txt", "python", "ConnectionRefusedError"],
  ["py-requests-3218.txt", "structlog", "TypeError"],
  ["java-spring-npe-21493.txt", "logstash", "java.lang.NullPointerException"],
  ["java-mina-awt-34.txt", "ecs", "java.lang.RuntimeException"],
  ["go-grmon-8.txt", "zap", "runtime error"],
  ["go-gaper-9.txt", "otel", "runtime error"],
];

describe("fingerprint grouping", () => {
  it("same error from two replicas → one incident", () => {
    const a = wrap("pino", JS, { type: "TypeError", message: "Cannot read property 'email' of undefined" });
    const b = { ...a, hostname: "web-2", pid: 999, time: 1_700_000_005_000 };
    expect(fp(a).hash).toBe(fp(b).hash);
    expect(fp(a).version).toBe(FINGERPRINT_VERSION);
    expect(fp(a).basis).toBe("frames");
  });

  it("different line numbers and deploy directories after a deploy → one", () => {
    const after = JS.replaceAll(":9:56", ":14:3")
      .replaceAll(":65:5", ":71:9")
      .replaceAll("/Users/secretrobotron/src/towtruck", "/srv/releases/2024-05-01");
    expect(fp(wrap("pino", after, { type: "TypeError" })).hash).toBe(
      fp(wrap("pino", JS, { type: "TypeError" })).hash,
    );
  });

  it("different user ids in the message → one (message fallback)", () => {
    const a = {
      level: 50,
      msg: "x",
      err: { type: "NotFoundError", message: "user 41 not found (req 3f2c1a2b-1234-4abc-8def-0123456789ab)" },
    };
    const b = {
      level: 50,
      msg: "x",
      err: {
        type: "NotFoundError",
        message: "user 9977 not found (req 0b0c1a2b-1234-4abc-8def-0123456789ff)",
      },
    };
    expect(fp(a).basis).toBe("message");
    expect(fp(a).hash).toBe(fp(b).hash);
    expect(fp(a).components).toEqual(["type:NotFoundError", "message:user <int> not found (req <uuid>)"]);
  });

  it("different exception types → different", () => {
    expect(fp(wrap("pino", JS, { type: "TypeError" })).hash).not.toBe(
      fp(wrap("pino", JS, { type: "RangeError" })).hash,
    );
    expect(fp({ level: 50, err: { type: "A", message: "m" } }).hash).not.toBe(
      fp({ level: 50, err: { type: "B", message: "m" } }).hash,
    );
  });

  it("different call sites → different", () => {
    const other = JS.replace(
      "at exports.index (/Users/secretrobotron/src/towtruck/app/http/controllers/site.js:9:56)",
      "at exports.profile (/Users/secretrobotron/src/towtruck/app/http/controllers/user.js:9:56)",
    );
    expect(fp(wrap("pino", other, { type: "TypeError" })).hash).not.toBe(
      fp(wrap("pino", JS, { type: "TypeError" })).hash,
    );
  });

  it("with in-app frames the message does not split groups; direct recursion counts once", () => {
    const a = wrap("pino", JS, { type: "TypeError", message: "Cannot read property 'email' of undefined" });
    const b = wrap("pino", JS, { type: "TypeError", message: "Cannot read property 'name' of undefined" });
    expect(fp(a).hash).toBe(fp(b).hash);
    const rec = (n: number) =>
      `Error: deep\n${"    at walk (/app/src/tree.js:5:3)\n".repeat(n)}    at main (/app/src/index.js:1:1)`;
    expect(fp({ level: 50, stack: rec(3) }).hash).toBe(fp({ level: 50, stack: rec(40) }).hash);
  });

  it("real traces in four languages, in nine logger shapes: stable per trace, distinct across traces", () => {
    const hashes = REAL.map(([file, shape, type]) => {
      const r = normalizeRecord(wrap(shape, trace(file), { type }));
      expect(r.exceptionType).toBe(type);
      const h = fingerprint(r).hash;
      // the same trace in another record shape groups the same way
      expect(fingerprint(normalizeRecord(wrap("winston", trace(file), { type }))).hash).toBe(h);
      return h;
    });
    expect(new Set(hashes).size).toBe(REAL.length);
  });

  it("custom rules: {{ default }} salts, without it the values alone decide", () => {
    const rules = compileRules([
      { match: { type: "^ChunkLoadError$" }, fingerprint: ["chunk-load"] },
      { match: { service: "^billing$" }, fingerprint: ["{{ default }}", "{{ path }}"] },
    ]);
    const c1 = fp(
      { level: 50, stack: "ChunkLoadError: Loading chunk 12 failed\n    at a (/app/x.js:1:1)" },
      rules,
    );
    const c2 = fp(
      { level: 50, stack: "ChunkLoadError: Loading chunk 99 failed\n    at b (/app/y.js:1:1)" },
      rules,
    );
    expect(c1.basis).toBe("custom");
    expect(c1.components).toEqual(["custom:chunk-load"]);
    expect(c1.hash).toBe(c2.hash);
    const b1 = fp({ level: 50, service: "billing", url: "/a", err: { type: "E", message: "m" } }, rules);
    const b2 = fp({ level: 50, service: "billing", url: "/b", err: { type: "E", message: "m" } }, rules);
    expect(b1.components).toEqual(["type:E", "message:m", "custom:/a"]);
    expect(b1.hash).not.toBe(b2.hash);
    expect(() => compileRules([{ match: { type: "(" }, fingerprint: ["x"] }])).toThrow(
      /rules\[0\]\.match\.type/,
    );
  });
});

describe("frame normalisation", () => {
  it("JS function names and file basenames", () => {
    expect(
      ["Object.<anonymous>", "async Router.handle", "new Foo", "Object.x [as y]", "?"].map((f) =>
        normalizeFunction(f, false),
      ),
    ).toEqual(["", "handle", "Foo", "x", ""]);
    expect(normalizeFile("/srv/app/dist/Main.4f3a2b1c.js?v=3")).toBe("main.js");
    expect(normalizeFile("C:\\app\\src\\Users.ts")).toBe("users.ts");
  });
  it("Java generated classes, lambdas; Go closures; Python lambdas", () => {
    expect(normalizeModule("java.base/java.util.Objects")).toBe("java.util.Objects");
    expect(normalizeModule("com.acme.Service$$EnhancerBySpringCGLIB$$ae46b1bf")).toBe(
      "com.acme.Service$$<auto>",
    );
    expect(normalizeModule("com.sun.proxy.$Proxy123")).toBe("com.sun.proxy.$Proxy");
    expect(normalizeModule("jdk.internal.reflect.GeneratedMethodAccessor42")).toBe(
      "jdk.internal.reflect.GeneratedMethodAccessor",
    );
    expect(normalizeFunction("lambda$run$4", true)).toBe("lambda$run");
    expect(normalizeFunction("(*runner).runBin.func1.2", true)).toBe("(*runner).runBin.func");
    expect(normalizeFunction("<listcomp>", false)).toBe("<lambda>");
  });
  it("title: Type: first line", () => {
    expect(
      incidentTitle(normalizeRecord({ level: 50, err: { type: "E", message: "line one\nline two" } })),
    ).toBe("E: line one");
    expect(incidentTitle(normalizeRecord({ level: 50, msg: "plain failure" }))).toBe("plain failure");
  });
});
