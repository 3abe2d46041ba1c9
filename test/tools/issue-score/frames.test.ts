import { describe, expect, it } from "vitest";
import { parseErrorLine, parseFrame, scanTraces } from "../../../src/tools/issue-score/frames.ts";

describe("parseFrame", () => {
  it.each([
    [
      "    at onError (/home/u/node_modules/got/dist/source/request.js:121:29)",
      { file: "/home/u/node_modules/got/dist/source/request.js", func: "onError", line: 121 },
    ],
    [
      "    at Immediate.timeoutHandler [as _onImmediate] (/x/timed-out.js:58:17)",
      { file: "/x/timed-out.js", func: "timeoutHandler", line: 58 },
    ],
    ["    at src/index.ts:3:1", { file: "src/index.ts", func: undefined, line: 3 }],
    [
      "render@https://cdn.example.com/app.js:10:5",
      { file: "https://cdn.example.com/app.js", func: "render", line: 10 },
    ],
    [
      '  File "/srv/app/views.py", line 42, in get_user',
      { file: "/srv/app/views.py", func: "get_user", line: 42 },
    ],
    [
      "\tat com.acme.UserService.load(UserService.java:88)",
      { file: "UserService.java", func: "load", line: 88 },
    ],
    ["\tat java.base/java.lang.Thread.run(Native Method)", { file: undefined, func: "run", line: undefined }],
    [
      "   at Acme.Web.HomeController.Index() in C:\\src\\Web\\HomeController.cs:line 17",
      { file: "C:\\src\\Web\\HomeController.cs", func: "Index", line: 17 },
    ],
    [
      "/app/lib/worker.rb:12:in `block in perform'",
      { file: "/app/lib/worker.rb", func: "perform", line: 12 },
    ],
    [
      "#0 /var/www/src/Kernel.php(55): App\\Kernel->handle(Object(Request))",
      { file: "/var/www/src/Kernel.php", func: "handle", line: 55 },
    ],
    ["thread 'main' panicked at src/main.rs:10:5:", { file: "src/main.rs", func: undefined, line: 10 }],
  ])("%s", (line, expected) => {
    const f = parseFrame(line);
    expect(f && { file: f.file, func: f.func, line: f.line }).toEqual(expected);
  });

  it("reads the Go function from the line before the file line", () => {
    expect(
      parseFrame("\t/home/u/app/server.go:27 +0x1d", "main.(*Server).Handle(0xc000010000)"),
    ).toMatchObject({
      file: "/home/u/app/server.go",
      func: "Handle",
      line: 27,
    });
  });

  it("reads the Rust function from the line before `at file.rs`", () => {
    expect(
      parseFrame("             at ./src/parse.rs:44:9", "   3: mycrate::parse::read_header"),
    ).toMatchObject({
      file: "./src/parse.rs",
      func: "read_header",
      line: 44,
    });
  });

  it.each(["at the moment it fails", "I looked at it", "version 1.2.3", ""])("rejects prose %j", (line) => {
    expect(parseFrame(line)).toBeNull();
  });
});

describe("parseErrorLine", () => {
  it.each([
    [
      "TypeError: Cannot read properties of undefined (reading 'x')",
      { type: "TypeError", message: "Cannot read properties of undefined (reading 'x')" },
    ],
    ["Uncaught (in promise) AxiosError: Network Error", { type: "AxiosError", message: "Network Error" }],
    ["java.lang.IllegalStateException: closed", { type: "IllegalStateException", message: "closed" }],
    ["error[E0382]: borrow of moved value: `v`", { message: "borrow of moved value: `v`" }],
    ["npm ERR! code ERESOLVE", { message: "code ERESOLVE" }],
  ])("%s", (line, expected) => {
    expect(parseErrorLine(line)).toEqual(expected);
  });

  it("ignores prose mentioning errors", () => {
    expect(parseErrorLine("There is an error when I click")).toBeNull();
  });
});

describe("scanTraces", () => {
  it("collects headers, frames and errors of a Python traceback", () => {
    const s = scanTraces([
      "Traceback (most recent call last):",
      '  File "app.py", line 3, in <module>',
      "    main()",
      "ValueError: bad input",
    ]);
    expect(s.headers).toEqual(["Traceback (most recent call last):"]);
    expect(s.frames.map((f) => f.file)).toEqual(["app.py"]);
    expect(s.errors).toEqual([{ type: "ValueError", message: "bad input", raw: "ValueError: bad input" }]);
  });
});
