import { describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/parse.ts";
import { dependencyChanges } from "../../../src/tools/pr-facts/deps.ts";

const deps = (diff: string) => dependencyChanges(parseDiff(diff).files);

describe("dependencyChanges", () => {
  it("npm: devDependencies, removals, and a hunk that starts inside a section", () => {
    const diff = `diff --git a/web/package.json b/web/package.json
--- a/web/package.json
+++ b/web/package.json
@@ -30,6 +30,7 @@
   "devDependencies": {
     "@types/node": "^24.0.0",
-    "left-pad": "1.3.0",
+    "@biomejs/biome": "^2.6.8",
+    "typescript": "^7.0.2"
   },
   "engines": {
@@ -50,3 +51,4 @@
     "react": "^19.0.0",
+    "react-dom": "^19.0.0",
     "zustand": "^5.0.0"
@@ -60,3 +62,3 @@
   "engines": {
-    "node": ">=20"
+    "node": ">=22.18"
   }
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "web/package.json",
        ecosystem: "npm",
        name: "@biomejs/biome",
        change: "added",
        version: "^2.6.8",
        section: "devDependencies",
      },
      {
        manifest: "web/package.json",
        ecosystem: "npm",
        name: "typescript",
        change: "added",
        version: "^7.0.2",
        section: "devDependencies",
      },
      {
        manifest: "web/package.json",
        ecosystem: "npm",
        name: "react-dom",
        change: "added",
        version: "^19.0.0",
      },
      {
        manifest: "web/package.json",
        ecosystem: "npm",
        name: "left-pad",
        change: "removed",
        version: "1.3.0",
        section: "devDependencies",
      },
    ]);
  });

  it("npm: scripts are not dependencies", () => {
    const diff = `diff --git a/package.json b/package.json
--- a/package.json
+++ b/package.json
@@ -5,3 +5,4 @@
   "scripts": {
     "test": "vitest run",
+    "bench": "node bench/run.ts",
   },
`;
    expect(deps(diff)).toEqual([]);
  });

  it("requirements.txt with extras, comments and options", () => {
    const diff = `diff --git a/requirements-dev.txt b/requirements-dev.txt
--- a/requirements-dev.txt
+++ b/requirements-dev.txt
@@ -1,4 +1,7 @@
 # dev tools
 pytest==8.2.0
-Black==24.1.0
+black==24.4.2
+uvicorn[standard]>=0.30,<1
+-r requirements.txt
+--extra-index-url https://pypi.example.org/simple
+Flask_Cors
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "requirements-dev.txt",
        ecosystem: "pypi",
        name: "black",
        change: "changed",
        version: "==24.4.2",
        from: "==24.1.0",
      },
      {
        manifest: "requirements-dev.txt",
        ecosystem: "pypi",
        name: "uvicorn",
        change: "added",
        version: ">=0.30,<1",
      },
      { manifest: "requirements-dev.txt", ecosystem: "pypi", name: "flask-cors", change: "added" },
    ]);
  });

  it("pyproject: PEP 621 arrays and poetry tables", () => {
    const diff = `diff --git a/pyproject.toml b/pyproject.toml
--- a/pyproject.toml
+++ b/pyproject.toml
@@ -5,6 +5,7 @@ requires-python = ">=3.10"
 [project]
 name = "svc"
 dependencies = [
     "httpx>=0.27",
+    "pydantic>=2.7",
 ]
 
@@ -20,4 +21,6 @@ dev = ["pytest"]
 [tool.poetry.group.dev.dependencies]
 mypy = "^1.10"
+ruff = { version = "^0.5", optional = true }
+python = "^3.12"
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "pyproject.toml",
        ecosystem: "pypi",
        name: "pydantic",
        change: "added",
        version: ">=2.7",
        section: "project",
      },
      {
        manifest: "pyproject.toml",
        ecosystem: "pypi",
        name: "ruff",
        change: "added",
        version: "^0.5",
        section: "tool.poetry.group.dev.dependencies",
      },
    ]);
  });

  it("go.mod: require block, single require, indirect, replace ignored", () => {
    const diff = `diff --git a/go.mod b/go.mod
--- a/go.mod
+++ b/go.mod
@@ -3,8 +3,11 @@ module github.com/acme/svc
 go 1.22
 
 require (
-	github.com/spf13/cobra v1.7.0
+	github.com/spf13/cobra v1.8.1
+	golang.org/x/sync v0.7.0 // indirect
 )
+
+require github.com/google/uuid v1.6.0
 
 replace (
+	github.com/acme/lib v1.0.0 => ../lib
 )
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "go.mod",
        ecosystem: "go",
        name: "github.com/spf13/cobra",
        change: "changed",
        version: "v1.8.1",
        from: "v1.7.0",
        section: "require",
      },
      {
        manifest: "go.mod",
        ecosystem: "go",
        name: "golang.org/x/sync",
        change: "added",
        version: "v0.7.0",
        section: "indirect",
      },
      {
        manifest: "go.mod",
        ecosystem: "go",
        name: "github.com/google/uuid",
        change: "added",
        version: "v1.6.0",
        section: "require",
      },
    ]);
  });

  it("Cargo.toml: tables, inline tables, dotted tables; [package] version ignored", () => {
    const diff = `diff --git a/Cargo.toml b/Cargo.toml
--- a/Cargo.toml
+++ b/Cargo.toml
@@ -1,10 +1,15 @@
 [package]
 name = "steward-cli"
-version = "0.1.0"
+version = "0.2.0"
 
 [dependencies]
 serde = { version = "1", features = ["derive"] }
+tokio = { version = "1.38", features = ["full"] }
+anyhow = "1.0.86"
+shared.workspace = true
 
 [dev-dependencies]
+proptest = "1.4"
+
+[dependencies.reqwest]
+version = "0.12"
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "Cargo.toml",
        ecosystem: "cargo",
        name: "tokio",
        change: "added",
        version: "1.38",
        section: "dependencies",
      },
      {
        manifest: "Cargo.toml",
        ecosystem: "cargo",
        name: "anyhow",
        change: "added",
        version: "1.0.86",
        section: "dependencies",
      },
      {
        manifest: "Cargo.toml",
        ecosystem: "cargo",
        name: "shared",
        change: "added",
        version: "workspace",
        section: "dependencies",
      },
      {
        manifest: "Cargo.toml",
        ecosystem: "cargo",
        name: "proptest",
        change: "added",
        version: "1.4",
        section: "dev-dependencies",
      },
      {
        manifest: "Cargo.toml",
        ecosystem: "cargo",
        name: "reqwest",
        change: "added",
        section: "dependencies",
      },
    ]);
  });

  it("Gemfile and gemspec", () => {
    const diff = `diff --git a/Gemfile b/Gemfile
--- a/Gemfile
+++ b/Gemfile
@@ -1,3 +1,4 @@
 source "https://rubygems.org"
 gem "rails", "~> 7.1"
+gem 'sidekiq', '~> 7.2'
diff --git a/acme.gemspec b/acme.gemspec
--- a/acme.gemspec
+++ b/acme.gemspec
@@ -8,2 +8,3 @@
   spec.add_dependency "faraday", ">= 2"
+  spec.add_development_dependency "rspec"
`;
    expect(deps(diff)).toEqual([
      { manifest: "Gemfile", ecosystem: "rubygems", name: "sidekiq", change: "added", version: "~> 7.2" },
      {
        manifest: "acme.gemspec",
        ecosystem: "rubygems",
        name: "rspec",
        change: "added",
        section: "development",
      },
    ]);
  });

  it("pom.xml: new dependency block and a version bump in an unchanged block", () => {
    const diff = `diff --git a/pom.xml b/pom.xml
--- a/pom.xml
+++ b/pom.xml
@@ -40,11 +40,17 @@
     <dependency>
       <groupId>com.google.guava</groupId>
       <artifactId>guava</artifactId>
-      <version>32.1.0-jre</version>
+      <version>33.2.1-jre</version>
     </dependency>
+    <dependency>
+      <groupId>org.junit.jupiter</groupId>
+      <artifactId>junit-jupiter</artifactId>
+      <version>5.10.2</version>
+      <scope>test</scope>
+    </dependency>
     <dependency>
       <groupId>org.slf4j</groupId>
       <artifactId>slf4j-api</artifactId>
     </dependency>
`;
    expect(deps(diff)).toEqual([
      {
        manifest: "pom.xml",
        ecosystem: "maven",
        name: "com.google.guava:guava",
        change: "changed",
        version: "33.2.1-jre",
        from: "32.1.0-jre",
      },
      {
        manifest: "pom.xml",
        ecosystem: "maven",
        name: "org.junit.jupiter:junit-jupiter",
        change: "added",
        version: "5.10.2",
        section: "test",
      },
    ]);
  });

  it("ignores files that are not manifests", () => {
    const diff = `diff --git a/docs/package.md b/docs/package.md
--- a/docs/package.md
+++ b/docs/package.md
@@ -1 +1,2 @@
 # deps
+gem "rails"
`;
    expect(deps(diff)).toEqual([]);
  });
});
