import type { CliCommand } from "./types.ts";
import { CliUsageError } from "./types.ts";

// `steward issues <subcommand>`: one file per subcommand, one line each here.
const subcommands: Record<string, () => Promise<CliCommand>> = {
  score: async () => (await import("./issues-score.ts")).scoreCommand,
  similar: async () => (await import("./issues-similar.ts")).command,
};

export const command: CliCommand = {
  name: "issues",
  summary: "Offline issue tools: documentation score and similar-issue ranking",
  handlesHelp: true,
  usage: [
    "steward issues <subcommand> [options]",
    "",
    "Subcommands:",
    "  score     steward issues score --file issue.md [--title T] [--labels a,b] [--threshold N] [--json]",
    "            Score how well an issue is documented (0–10), offline and without an LLM.",
    "  similar   steward issues similar --corpus corpus.jsonl --queries queries.jsonl [--top 5] [--json]",
    "            Rank earlier similar issues for each query (BM25 + re-rank), offline.",
    "",
    "Run `steward issues <subcommand> --help` for its options.",
  ].join("\n"),
  async run(argv, io) {
    const [name, ...rest] = argv;
    const load = name ? subcommands[name] : undefined;
    if (!load) throw new CliUsageError(name ? `unknown subcommand '${name}'` : "missing subcommand");
    const sub = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(sub.usage.endsWith("\n") ? sub.usage : sub.usage + "\n");
      return 0;
    }
    return sub.run(rest, io);
  },
};
