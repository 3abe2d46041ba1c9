// Runs before the test suite (plain JS so that even an old Node can print why it cannot continue).
// Fails fast, with one line, when Node is too old or a required service is missing.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `steward: Node >= 22.18 is required (found v${process.versions.node}); install Node 24, or run .ci/run, which installs it under .tools/`,
  );
  process.exit(1);
}

const url = process.env.TEST_DATABASE_URL;
if (!url) {
  if (process.env.CI) {
    console.error(
      "steward: CI must run the Postgres half of the suite: set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db",
    );
    process.exit(1);
  }
  console.log(
    "steward: TEST_DATABASE_URL is not set, so the Postgres half of the suite is skipped (set it to postgres://… to run it)",
  );
} else {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    await client.end();
  } catch (err) {
    const where = (() => {
      try {
        const u = new URL(url);
        return `${u.hostname}:${u.port || 5432}${u.pathname}`;
      } catch {
        return "TEST_DATABASE_URL";
      }
    })();
    console.error(
      `steward: Postgres is not reachable at ${where} (${err?.code ?? err?.message ?? err}); start it or unset TEST_DATABASE_URL to skip the Postgres half`,
    );
    process.exit(1);
  }
}
