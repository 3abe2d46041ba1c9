// GitHub's GraphQL API: every query is parsed and validated against GitHub's published schema
// (@octokit/graphql-schema) with graphql-js, then executed against the simulator's state. Resolvers
// are plain objects; fields the simulator does not model resolve to null (which GitHub's schema often
// forbids, so graphql-js reports it as an error rather than silently answering).
import { readFileSync } from "node:fs";
import { buildSchema, execute, type GraphQLSchema, parse, validate } from "graphql";
import type { SimIssue, SimRepo, SimState } from "./state.ts";

let schema: GraphQLSchema | undefined;

function githubSchema(): GraphQLSchema {
  if (!schema) {
    // The package's index parses a 10 MB JSON copy eagerly; the SDL next to it is all we need.
    const file = new URL("./schema.graphql", import.meta.resolve("@octokit/graphql-schema"));
    schema = buildSchema(readFileSync(file, "utf8"), { assumeValidSDL: true });
  }
  return schema;
}

// "Fixes #12", "closes #3", "resolved #7": the keywords GitHub links a PR to the issues it closes by.
const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d{1,9})\b/gi;

function repositoryNode(repo: SimRepo, origin: string) {
  return {
    __typename: "Repository",
    name: repo.name,
    nameWithOwner: repo.fullName,
    url: `${origin}/${repo.fullName}`,
    owner: { __typename: "Organization", login: repo.owner.login },
  };
}

function closingIssues(repo: SimRepo, pr: SimIssue, origin: string) {
  const body = (pr.body ?? "").slice(0, 65_536);
  const numbers = new Set<number>();
  for (const m of body.matchAll(CLOSING)) numbers.add(Number(m[1]));
  return [...numbers]
    .map((n) => repo.issues.get(n))
    .filter((i): i is SimIssue => Boolean(i && !i.pull))
    .map((i) => ({
      __typename: "Issue",
      number: i.number,
      url: `${origin}/${repo.fullName}/issues/${i.number}`,
      title: i.title,
      state: i.state.toUpperCase(),
      repository: repositoryNode(repo, origin),
    }));
}

function issueLike(repo: SimRepo, i: SimIssue, origin: string) {
  return {
    __typename: i.pull ? "PullRequest" : "Issue",
    number: i.number,
    title: i.title,
    body: i.body ?? "",
    url: `${origin}/${repo.fullName}/${i.pull ? "pull" : "issues"}/${i.number}`,
    state: i.state.toUpperCase(),
    repository: repositoryNode(repo, origin),
    closingIssuesReferences: (a: { first?: number }) => {
      const nodes = closingIssues(repo, i, origin).slice(0, a.first ?? 25);
      return { totalCount: nodes.length, nodes };
    },
  };
}

function repositoryResolver(state: SimState, origin: string) {
  return (a: { owner: string; name: string }) => {
    const repo = state.repo(a.owner, a.name);
    if (!repo) return null;
    return {
      ...repositoryNode(repo, origin),
      pullRequest: (b: { number: number }) => {
        const i = repo.issues.get(b.number);
        return i?.pull ? issueLike(repo, i, origin) : null;
      },
      issue: (b: { number: number }) => {
        const i = repo.issues.get(b.number);
        return i && !i.pull ? issueLike(repo, i, origin) : null;
      },
      issueOrPullRequest: (b: { number: number }) => {
        const i = repo.issues.get(b.number);
        return i ? issueLike(repo, i, origin) : null;
      },
    };
  };
}

/** node(id:) for the node ids the REST renderer hands out (base64 of "NN:TypeID"). */
function nodeResolver(state: SimState) {
  return (a: { id: string }) => {
    const decoded = Buffer.from(a.id, "base64").toString("utf8");
    const m = /^\d+:IssueComment(\d+)$/.exec(decoded);
    if (!m) return null;
    for (const repo of state.repos.values()) {
      const c = repo.comments.get(Number(m[1]));
      if (c)
        return {
          __typename: "IssueComment",
          id: a.id,
          body: c.body,
          isMinimized: Boolean(c.minimizedReason),
          minimizedReason: c.minimizedReason ?? null,
        };
    }
    return null;
  };
}

export interface GraphqlOutcome {
  status: number;
  body: unknown;
  /** Validation errors against GitHub's schema: the request is invalid. */
  problems: string[];
}

export function runGraphql(state: SimState, origin: string, raw: unknown): GraphqlOutcome {
  const req = raw as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof req?.query !== "string") {
    return { status: 400, body: { message: "Problems parsing JSON" }, problems: ["no query string"] };
  }
  let document: ReturnType<typeof parse>;
  try {
    document = parse(req.query);
  } catch (err) {
    const message = (err as Error).message;
    return { status: 200, body: { errors: [{ message }] }, problems: [`parse: ${message}`] };
  }
  const errors = validate(githubSchema(), document);
  if (errors.length) {
    const problems = errors.map((e) => e.message);
    return { status: 200, body: { errors: errors.map((e) => ({ message: e.message })) }, problems };
  }
  const result = execute({
    schema: githubSchema(),
    document,
    variableValues: req.variables ?? {},
    rootValue: { repository: repositoryResolver(state, origin), node: nodeResolver(state) },
  });
  if (result instanceof Promise) throw new Error("the simulator's GraphQL resolvers are synchronous");
  const problems = (result.errors ?? []).map((e) => `execution: ${e.message}`);
  return {
    status: 200,
    body: { data: result.data ?? null, ...(result.errors ? { errors: result.errors } : {}) },
    problems,
  };
}
