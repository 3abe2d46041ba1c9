import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultInApp } from "../../src/incidents/inapp.ts";
import { parseStack, splitGoFunc } from "../../src/incidents/stack.ts";
import { trace } from "./records.ts";

const appFrames = (name: string) => {
  const p = parseStack(trace(name));
  return p.frames
    .filter((f) => defaultInApp(f, p.language))
    .map((f) => `${f.module ?? f.file}|${f.function}`);
};

describe("parseStack on real traces", () => {
  it("V8: header, frames with and without a function, async and bundled files", () => {
    const p = parseStack(trace("js-express-router-2399.txt"));
    expect(p.language).toBe("v8");
    expect(p.type).toBe("TypeError");
    expect(p.message).toBe("Cannot read property '0' of null");
    expect(p.frames).toHaveLength(10);
    expect(p.frames[0]).toEqual({
      function: "trim_prefix",
      file: "/usr/plantwhat/node_modules/express/lib/router/index.js",
      line: 243,
      col: 17,
    });
    expect(p.frames[1]).toEqual({
      function: "",
      file: "/usr/plantwhat/node_modules/express/lib/router/index.js",
      line: 237,
      col: 9,
    });
    // every frame is library or runtime code
    expect(appFrames("js-express-router-2399.txt")).toEqual([]);
    expect(appFrames("js-togetherjs-156.txt")).toEqual([
      "/Users/secretrobotron/src/towtruck/app/http/controllers/site.js|exports.index",
      "/Users/secretrobotron/src/towtruck/app/http/server.js|Object.http.configure.require.audience [as handle]",
    ]);
    expect(parseStack(trace("js-express-bundle-5236.txt")).type).toBe("TypeError");
    const asyncs = parseStack(
      "Error: x\n    at async Promise.all (index 0)\n    at async run (/app/src/job.ts:3:1)",
    );
    expect(asyncs.frames.map((f) => f.function)).toEqual(["Promise.all", "run"]);
  });

  it("Python: frames, exception line, site-packages not in-app", () => {
    const p = parseStack(trace("py-urllib3-understack-645.txt"));
    expect(p.language).toBe("python");
    expect(p.type).toBe("ConnectionRefusedError");
    expect(p.message).toBe("[Errno 111] Connection refused");
    expect(p.frames.map((f) => `${f.function}:${f.line}`)).toEqual([
      "_new_conn:198",
      "create_connection:85",
      "create_connection:73",
    ]);
    expect(appFrames("py-urllib3-understack-645.txt")).toEqual([]);
    expect(parseStack(trace("py-requests-3218.txt")).type).toBe("TypeError");
    expect(parseStack(trace("py-django-otel-288.txt")).type).toBeNull();
  });

  it("Python chained (composed from real frames): the last exception is the reported one", () => {
    const chained = `${trace("py-urllib3-understack-645.txt")}
During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/app/billing/client.py", line 41, in charge
    return session.post(url)
requests.exceptions.ConnectionError: HTTPConnectionPool(host='10.0.0.5', port=80): Max retries exceeded`;
    const p = parseStack(chained);
    expect(p.type).toBe("requests.exceptions.ConnectionError");
    expect(p.frames).toHaveLength(4);
    expect(p.frames.filter((f) => defaultInApp(f, "python")).map((f) => f.function)).toEqual(["charge"]);
  });

  it("Java: module/class split, JPMS prefix, lambda frames, Exception in thread header", () => {
    const p = parseStack(trace("java-spring-npe-21493.txt"));
    expect(p.language).toBe("java");
    expect(p.type).toBe("java.lang.NullPointerException");
    expect(p.frames[0]).toEqual({
      module: "com.mavericsystems.digitalinterviewportal.controllers.ForgotPasswordController",
      function: "forgotpassword",
      file: "ForgotPasswordController.java",
      line: 52,
    });
    expect(p.frames[1]).toMatchObject({
      module: "sun.reflect.NativeMethodAccessorImpl",
      function: "invoke0",
      file: "Native Method",
    });
    expect(appFrames("java-oso-stream-342.txt")).toEqual([]);
    const mina = parseStack(trace("java-mina-awt-34.txt"));
    expect(mina.type).toBe("java.lang.RuntimeException");
    expect(appFrames("java-mina-awt-34.txt").slice(-2)).toEqual(["MiNAgui|runMiNA", "MiNAgui|lambda$run$4"]);
  });

  it("Java chained (composed): Caused by and '... N more' are not frames; the top exception is the type", () => {
    const t = `${trace("java-spring-npe-21493.txt").replace("java.lang.NullPointerException: null", "org.springframework.web.util.NestedServletException: Request processing failed")}Caused by: java.lang.NullPointerException: null
        at com.mavericsystems.digitalinterviewportal.service.MailService.send(MailService.java:31) ~[classes/:na]
        ... 48 more`;
    const p = parseStack(t);
    expect(p.type).toBe("org.springframework.web.util.NestedServletException");
    expect(p.frames).toHaveLength(8);
    expect(p.frames[7]).toMatchObject({
      module: "com.mavericsystems.digitalinterviewportal.service.MailService",
      function: "send",
    });
  });

  it("Go: goroutine dump, first goroutine only, stdlib excluded, created-by skipped", () => {
    const p = parseStack(trace("go-grmon-8.txt"));
    expect(p.language).toBe("go");
    expect(p.type).toBe("runtime error");
    expect(p.message).toBe("invalid memory address or nil pointer dereference");
    expect(p.frames.map((f) => `${f.module}.${f.function}@${f.line}`)).toEqual([
      "main.ReadRoutines@76",
      "main.poll@38",
      "main.Refresh@38",
      "main.main@202",
    ]);
    expect(appFrames("go-gaper-9.txt")).toEqual(["github.com/maxcnunes/gaper|(*runner).runBin.func1"]);
    expect(appFrames("go-libpq-942.txt")).toEqual([]);
    expect(appFrames("go-template-32.txt")).toEqual(["RequestTemplate/WebScan/FingerScan|UrlWorker"]);
    expect(splitGoFunc("github.com/a/b.(*T).m.func1")).toEqual({
      module: "github.com/a/b",
      fn: "(*T).m.func1",
    });
  });

  it("errors that differ only in their message line share one parse of their frames, each keeping its own message", () => {
    const rest =
      "\n    at validate (/srv/app/src/orders/typeerror.js:3:11)\n    at async create (/srv/app/src/orders/service.js:88:5)";
    const all = Array.from({ length: 300 }, (_, i) => parseStack(`TypeError: order ${i} failed${rest}`));
    all.forEach((p, i) => {
      expect(p).toMatchObject({ language: "v8", type: "TypeError", message: `order ${i} failed` });
      expect(p.frames.map((f) => f.function)).toEqual(["validate", "create"]);
    });
    expect(new Set(all.map((p) => p.frames)).size).toBe(1);
    // Asked again, the same answers (whether or not the whole text was kept).
    expect(parseStack(`TypeError: order 7 failed${rest}`)).toEqual(all[7]);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const p = parseStack(s);
        expect(Array.isArray(p.frames)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            "    at ",
            'File "',
            "\tat ",
            "goroutine 1 [running]:\n",
            "main.x()\n\t",
            "(",
            ")",
            ":",
            "12",
            "\n",
            "Caused by: ",
            "x.go:3 +0x1",
          ),
          { maxLength: 40 },
        ),
        (parts) => {
          expect(() => parseStack(parts.join(""))).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});
