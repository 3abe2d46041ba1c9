// Possible secrets on ADDED lines, high-signal patterns only: a false alarm teaches people to ignore
// the section. The value itself never leaves this file: findings carry a masked preview.
// Every rule is linear-time (npm run check:redos) and sees at most CAPS.secretLine characters of a line.
import { CAPS, capText } from "../../caps.ts";
import type { DiffFile } from "../../diff/types.ts";
import type { SecretFinding } from "./types.ts";

interface SecretRule {
  kind: string;
  re: RegExp;
  /** Index of the capture group holding the secret; 0 = whole match. */
  group?: number;
  /** Extra check on the captured value. */
  accept?: (value: string) => boolean;
  /**
   * Shortest value the rule's pattern accepts, checked in code: a `{12,}` in the pattern defeats the
   * exact ReDoS checker. A shorter value is not a match, so the scan resumes one character later.
   */
  minLength?: number;
  /** What the preview shows instead of masking (for PEM headers, which are not secret). */
  label?: string;
}

const PLACEHOLDER =
  /(\$\{|\{\{|<[a-z_-]+>|example|changeme|change_me|dummy|placeholder|your[_-]|xxxx|\*\*\*\*|redacted|test|fake|sample)/i;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const RULES: SecretRule[] = [
  { kind: "AWS access key id", re: /\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b/g, group: 1 },
  { kind: "GitHub token", re: /\b(gh[pousr]_[A-Za-z0-9]{36,255})\b/g, group: 1 },
  { kind: "GitHub fine-grained token", re: /\b(github_pat_[A-Za-z0-9_]{22,255})\b/g, group: 1 },
  { kind: "Slack token", re: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g, group: 1 },
  {
    kind: "private key",
    re: /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g,
    label: "-----BEGIN … PRIVATE KEY-----",
  },
  { kind: "Stripe live key", re: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/g, group: 1 },
  { kind: "Google API key", re: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, group: 1 },
  {
    kind: "JSON Web Token",
    re: /[:=]\s*["'`]?(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g,
    group: 1,
  },
  {
    kind: "hard-coded password",
    // No leading `\b[A-Za-z0-9_.-]*`: it matched the same lines but made every scan quadratic.
    re: /(?:password|passwd|pwd|secret|api[_-]?key|auth[_-]?token|access[_-]?token)["']?\s*[:=]{1,2}\s*["']([^"'\s]+)["']/gi,
    group: 1,
    minLength: 12,
    accept: (v) => !PLACEHOLDER.test(v) && entropy(v) >= 3.5 && /[0-9]/.test(v) && /[A-Za-z]/.test(v),
  },
];

/** The first 4 characters and the length; enough to find the line, useless to an attacker. */
export function maskSecret(value: string): string {
  const head = value.slice(0, Math.min(4, Math.floor(value.length / 3)));
  return `${head}${"*".repeat(8)} (${value.length} chars)`;
}

export function secretFindings(files: DiffFile[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const f of files) {
    if (f.binary) continue;
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.kind !== "add" || l.newLine === null) continue;
        const seen = new Set<string>();
        const text = capText(l.text, CAPS.secretLine);
        for (const rule of RULES) {
          rule.re.lastIndex = 0;
          for (let m = rule.re.exec(text); m !== null; m = rule.re.exec(text)) {
            const value = m[rule.group ?? 0] ?? m[0];
            if (m[0] === "") rule.re.lastIndex++;
            if (rule.minLength && value.length < rule.minLength) {
              rule.re.lastIndex = m.index + 1;
              continue;
            }
            if (rule.accept && !rule.accept(value)) continue;
            if (seen.has(value)) continue;
            seen.add(value);
            out.push({
              file: f.path,
              line: l.newLine,
              kind: rule.kind,
              preview: rule.label ?? maskSecret(value),
            });
          }
        }
      }
    }
  }
  return out;
}
