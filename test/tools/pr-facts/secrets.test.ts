import { describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/parse.ts";
import { entropy, maskSecret, secretFindings } from "../../../src/tools/pr-facts/secrets.ts";

// Built by concatenation so this test file itself does not look like a leak to scanners.
const AWS = "AKIA" + "IOSFODNN7EXAMPLE";
const GHP = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
const PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuv";
const SLACK = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKl";
const STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc";
const GOOGLE = "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY";
const JWT =
  "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const PASSWORD = "Zq8v!r2LpX9w#eT4";

function addedFile(path: string, lines: string[]): string {
  return `diff --git a/${path} b/${path}
--- a/${path}
+++ b/${path}
@@ -1,1 +1,${lines.length + 1} @@
 // header
${lines.map((l) => `+${l}`).join("\n")}
`;
}

describe("secretFindings", () => {
  const diff =
    addedFile("config/prod.ts", [
      `export const awsKey = "${AWS}";`,
      `const token = '${GHP}';`,
      `GH_PAT=${PAT}`,
      `slack: ${SLACK}`,
      `stripe.key = "${STRIPE}"`,
      `maps_api_key: ${GOOGLE}`,
      `const auth = "${JWT}";`,
      `db_password = "${PASSWORD}"`,
    ]) + addedFile("deploy/key.pem", ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"]);
  const findings = secretFindings(parseDiff(diff).files);

  it("reports each pattern with file, new line number and a masked preview", () => {
    expect(findings.map((f) => [f.file, f.line, f.kind])).toEqual([
      ["config/prod.ts", 2, "AWS access key id"],
      ["config/prod.ts", 3, "GitHub token"],
      ["config/prod.ts", 4, "GitHub fine-grained token"],
      ["config/prod.ts", 5, "Slack token"],
      ["config/prod.ts", 6, "Stripe live key"],
      ["config/prod.ts", 7, "Google API key"],
      ["config/prod.ts", 8, "JSON Web Token"],
      ["config/prod.ts", 9, "hard-coded password"],
      ["deploy/key.pem", 2, "private key"],
    ]);
    expect(findings[0]!.preview).toBe("AKIA******** (20 chars)");
    expect(findings[8]!.preview).toBe("-----BEGIN … PRIVATE KEY-----");
  });

  it("never leaks more than four characters of any secret", () => {
    const text = JSON.stringify(findings);
    for (const s of [AWS, GHP, PAT, SLACK, STRIPE, GOOGLE, JWT, PASSWORD]) {
      expect(text).not.toContain(s.slice(0, 8));
    }
  });

  it("ignores removed and context lines, placeholders and low-entropy passwords", () => {
    const d = `diff --git a/a.env b/a.env
--- a/a.env
+++ b/a.env
@@ -1,2 +1,5 @@
-OLD_KEY=${AWS}
 KEEP=${GHP}
+password = "changeme-please-123"
+password = "aaaaaaaaaaaaaaaa1"
+api_key = "\${API_KEY_FROM_ENV}"
+password = "short1"
`;
    expect(secretFindings(parseDiff(d).files)).toEqual([]);
  });

  it("does not treat a bare JWT-like string outside an assignment as a secret", () => {
    const d = addedFile("docs/a.md", [`See ${JWT.replace(/^eyJ/, "xeyJ")} in the docs`]);
    expect(secretFindings(parseDiff(d).files)).toEqual([]);
  });

  it("masks short values proportionally and computes entropy", () => {
    expect(maskSecret("abcdefgh")).toBe("ab******** (8 chars)");
    expect(entropy("aaaa")).toBe(0);
    expect(entropy("abcd")).toBe(2);
  });
});
