import { describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/parse.ts";
import { computeFacts } from "../../../src/tools/pr-facts/facts.ts";
import { renderFacts } from "../../../src/tools/pr-facts/render.ts";

// A PR in the shape of a typical feature change: source + test + manifest + workflow.
const FEATURE = `diff --git a/src/auth/session.ts b/src/auth/session.ts
index 3b18e51..a9c2f4e 100644
--- a/src/auth/session.ts
+++ b/src/auth/session.ts
@@ -10,6 +10,9 @@ export function createSession(user: User): Session {
   const id = randomUUID();
   const expires = Date.now() + TTL_MS;
+  if (user.disabled) {
+    throw new SessionError("user is disabled");
+  }
   return { id, user: user.id, expires };
 }
 
diff --git a/src/billing/invoice.ts b/src/billing/invoice.ts
index 1111111..2222222 100644
--- a/src/billing/invoice.ts
+++ b/src/billing/invoice.ts
@@ -1,3 +1,4 @@
 import { round } from "./money.ts";
+import Decimal from "decimal.js";
 
 export function total(lines: Line[]): number {
diff --git a/test/auth/session.test.ts b/test/auth/session.test.ts
index 4444444..5555555 100644
--- a/test/auth/session.test.ts
+++ b/test/auth/session.test.ts
@@ -20,3 +20,7 @@ describe("createSession", () => {
   it("sets an expiry", () => {
     expect(createSession(alice).expires).toBeGreaterThan(0);
   });
+  it("refuses disabled users", () => {
+    expect(() => createSession({ ...alice, disabled: true })).toThrow("user is disabled");
+  });
 });
diff --git a/package.json b/package.json
index 6666666..7777777 100644
--- a/package.json
+++ b/package.json
@@ -18,7 +18,8 @@
   "dependencies": {
     "@octokit/rest": "^22.0.1",
-    "zod": "^4.0.0"
+    "decimal.js": "^10.4.3",
+    "zod": "^4.6.7"
   },
   "devDependencies": {
     "vitest": "^5.1.1"
diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml
index 8888888..9999999 100644
--- a/.github/workflows/ci.yml
+++ b/.github/workflows/ci.yml
@@ -12,4 +12,5 @@ jobs:
     steps:
       - uses: actions/checkout@v4
       - run: npm ci
+      - run: npm run lint
       - run: npm test
`;

describe("computeFacts on a feature PR", () => {
  const files = parseDiff(FEATURE).files;
  const facts = computeFacts(files);

  it("counts totals and areas, biggest first", () => {
    expect(facts.totals).toEqual({ files: 5, additions: 10, deletions: 1 });
    expect(facts.areas).toEqual([
      { area: "src", files: 2, additions: 4, deletions: 0 },
      { area: "(root)", files: 1, additions: 2, deletions: 1 },
      { area: "test", files: 1, additions: 3, deletions: 0 },
      { area: ".github", files: 1, additions: 1, deletions: 0 },
    ]);
  });

  it("matches the test change to its source file and names the untested one", () => {
    expect(facts.tests.sourceFiles).toEqual(["src/auth/session.ts", "src/billing/invoice.ts"]);
    expect(facts.tests.testFiles).toEqual(["test/auth/session.test.ts"]);
    expect(facts.tests.untested).toEqual([
      {
        file: "src/billing/invoice.ts",
        expected: [
          "src/billing/invoice.test.ts",
          "src/billing/__tests__/invoice.test.ts",
          "test/billing/invoice.test.ts",
        ],
      },
    ]);
  });

  it("finds the new dependency and the version bump", () => {
    expect(facts.dependencies).toEqual([
      {
        manifest: "package.json",
        ecosystem: "npm",
        name: "decimal.js",
        change: "added",
        version: "^10.4.3",
        section: "dependencies",
      },
      {
        manifest: "package.json",
        ecosystem: "npm",
        name: "zod",
        change: "changed",
        version: "^4.6.7",
        from: "^4.0.0",
        section: "dependencies",
      },
    ]);
  });

  it("flags auth and CI paths as risky", () => {
    expect(facts.risky).toEqual([
      { path: "src/auth/session.ts", reason: "authentication / authorization" },
      { path: ".github/workflows/ci.yml", reason: "CI workflow" },
    ]);
    expect(facts.secrets).toEqual([]);
    expect(facts.large).toEqual([]);
  });

  it("uses configured areas before top-level dirs", () => {
    const f = computeFacts(files, { areas: { backend: ["src/**"], ci: [".github/**"] } });
    expect(f.areas.map((a) => a.area)).toEqual(["backend", "(root)", "test", "ci"]);
  });

  it("can replace the default risky rules", () => {
    const f = computeFacts(files, {
      defaultRiskyPaths: false,
      riskyPaths: [{ glob: "src/billing/**", reason: "money" }],
    });
    expect(f.risky).toEqual([{ path: "src/billing/invoice.ts", reason: "money" }]);
  });

  it("renders every section a reviewer needs", () => {
    expect(renderFacts(facts)).toBe(
      [
        "**Changed:** 5 files, +10 −1",
        "| Area | Files | Lines |\n|---|---:|---:|\n| src | 2 | +4 −0 |\n| (root) | 1 | +2 −1 |\n| test | 1 | +3 −0 |\n| .github | 1 | +1 −0 |",
        "**Tests:** ⚠️ 1 of 2 changed source files have no matching test change (1 test file changed):\n- `src/billing/invoice.ts` (expected e.g. `src/billing/invoice.test.ts`)",
        "**Dependencies:** 1 new dependency\n- ➕ `decimal.js` `^10.4.3` (dependencies) in `package.json`\n- 1 version change: `zod` `^4.0.0` → `^4.6.7`",
        "**Risky paths:**\n- `src/auth/session.ts` — authentication / authorization\n- `.github/workflows/ci.yml` — CI workflow",
      ].join("\n\n"),
    );
  });
});

describe("computeFacts on edge cases", () => {
  it("handles an empty diff", () => {
    const facts = computeFacts([]);
    expect(facts.totals).toEqual({ files: 0, additions: 0, deletions: 0 });
    expect(renderFacts(facts)).toBe(
      "**Changed:** 0 files, +0 −0\n\n**Tests:** no source files changed.\n\n**Dependencies:** no manifest changes.",
    );
  });

  it("lists binary, generated and large files", () => {
    const big = Array.from({ length: 1000 }, (_, i) => `+line ${i}`).join("\n");
    const diff = `diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..1234567
Binary files /dev/null and b/logo.png differ
diff --git a/api/gen/types.pb.go b/api/gen/types.pb.go
index 1111111..2222222 100644
--- a/api/gen/types.pb.go
+++ b/api/gen/types.pb.go
@@ -1,2 +1,2 @@
-// Code generated by protoc-gen-go. DO NOT EDIT.
+// Code generated by protoc-gen-go v1.34. DO NOT EDIT.
 package gen
diff --git a/data/seed.csv b/data/seed.csv
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/data/seed.csv
@@ -0,0 +1,1000 @@
${big}
diff --git a/src/schema.ts b/src/schema.ts
index 1111111..2222222 100644
--- a/src/schema.ts
+++ b/src/schema.ts
@@ -1,2 +1,2 @@
-// @generated by openapi-typescript
+// @generated by openapi-typescript 7
 export type A = string;
`;
    const facts = computeFacts(parseDiff(diff).files);
    expect(facts.large).toEqual([
      { path: "logo.png", reason: "binary", changedLines: 0 },
      { path: "api/gen/types.pb.go", reason: "generated", changedLines: 2 },
      { path: "data/seed.csv", reason: "large", changedLines: 1000 },
      { path: "src/schema.ts", reason: "generated", changedLines: 2 },
    ]);
    expect(renderFacts(facts)).toContain(
      "**Large, generated or binary files:**\n- `logo.png` — binary\n- `api/gen/types.pb.go` — generated, 2 lines\n- `data/seed.csv` — large, 1000 lines",
    );
  });

  it("ignores deleted source files when asking for tests", () => {
    const diff = `diff --git a/src/old.py b/src/old.py
deleted file mode 100644
index 1111111..0000000
--- a/src/old.py
+++ /dev/null
@@ -1,2 +0,0 @@
-def f():
-    return 1
`;
    const facts = computeFacts(parseDiff(diff).files);
    expect(facts.tests).toEqual({ sourceFiles: [], testFiles: [], untested: [] });
  });

  it("checks the old path of a renamed file against the risky rules", () => {
    const diff = `diff --git a/db/migrations/001_init.sql b/db/archive/001_init.txt
similarity index 100%
rename from db/migrations/001_init.sql
rename to db/archive/001_init.txt
`;
    expect(computeFacts(parseDiff(diff).files).risky).toEqual([
      { path: "db/archive/001_init.txt", reason: "database migration" },
    ]);
  });
});
