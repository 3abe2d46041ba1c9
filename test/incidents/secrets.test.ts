import { describe, expect, it } from "vitest";
import { maskSecrets, maskValue } from "../../src/incidents/secrets.ts";

describe("maskSecrets", () => {
  it.each([
    ["connect postgres://app:hunter2@db:5432/x failed", "connect postgres://app:[redacted]@db:5432/x failed"],
    ["Authorization: Bearer abcdefghijkl.mnop", "Authorization: [redacted] [redacted]"],
    ["curl -H 'Bearer abcdefghijklmnop'", "curl -H 'Bearer [redacted]'"],
    ["token ghp_abcdefghijklmnopqrstuvwxyz123456 leaked", "token [redacted-token] leaked"],
    ['{"password":"s3cret!","user":"bob"}', '{"password":"[redacted]","user":"bob"}'],
    ["key AKIAIOSFODNN7EXAMPLE x", "key [redacted-aws-key] x"],
    ["aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=[redacted]"],
    [
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "jwt [redacted-jwt]",
    ],
    ["slack xoxb-123456789012-abcdefghij", "slack [redacted-token]"],
    ["api_key='sk-abcdefghijklmnopqrstuvwxyz'", "api_key='[redacted]'"],
    [
      "TypeError: Cannot read properties of undefined (reading 'authorization')",
      "TypeError: Cannot read properties of undefined (reading 'authorization')",
    ],
  ])("%s", (input, out) => {
    expect(maskSecrets(input)).toBe(out);
  });

  it("masks nested values and secret-named keys", () => {
    expect(
      maskValue({
        req: { headers: { authorization: "Basic Zm9vOmJhcg==", host: "x" } },
        msg: "db postgres://u:p4ss@h/d",
      }),
    ).toEqual({
      req: { headers: { authorization: "[redacted]", host: "x" } },
      msg: "db postgres://u:[redacted]@h/d",
    });
  });
});
