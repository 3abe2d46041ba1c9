// README and docs link only to files inside the repository, and every relative link resolves to a file
// that exists (issue 10, defect 11). Anchors are not checked; web links (http/https) are not files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;

function markdownFiles(): string[] {
  const out = ["README.md", "test/e2e/README.md"].filter((f) => existsSync(join(ROOT, f)));
  for (const f of readdirSync(join(ROOT, "docs"))) if (f.endsWith(".md")) out.push(`docs/${f}`);
  const src = join(ROOT, "src");
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === "README.md") out.push(relative(ROOT, join(d, e.name)));
    }
  };
  walk(src);
  return out;
}

/** Targets of [text](target) outside code spans and fences. */
function links(md: string): string[] {
  const text = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe("links in README and docs", () => {
  const files = markdownFiles();

  it("scans the user docs", () => {
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.startsWith("docs/")).length).toBeGreaterThan(5);
  });

  it("every relative link resolves to a file inside the repository", () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const target of links(readFileSync(join(ROOT, f), "utf8"))) {
        if (/^(https?:|mailto:)/.test(target) || target.startsWith("#")) continue;
        const path = decodeURIComponent(target.split("#")[0]!);
        const abs = target.startsWith("/") ? path : resolve(ROOT, dirname(f), path);
        const inside = !relative(ROOT, abs).startsWith("..") && abs.startsWith(ROOT);
        if (!inside) bad.push(`${f}: ${target} (outside the repository)`);
        else if (!existsSync(abs)) bad.push(`${f}: ${target} (no such file)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("web links in README are to public sites, not to this project's machines", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const local = links(readme).filter(
      (t) =>
        /^https?:\/\/(localhost|127\.|10\.|192\.168\.)/.test(t) && !t.startsWith("http://localhost:3000"),
    );
    expect(local).toEqual([]);
  });
});
