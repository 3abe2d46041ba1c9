// Who asked for a run. `separate_approver` means none of them may approve its maintain/admin-risk
// proposals: not only the user of the first `/agent`, but everyone whose instructions were folded into
// the run, and every authorized commenter whose comment the worker was given as an instruction.
// GitHub logins are case-insensitive, so they are compared lowercased.

export function normalLogin(login: string): string {
  return login.toLowerCase();
}

/** Unique, lowercased, in first-seen order. */
export function mergeRequesters(...lists: Array<readonly string[]>): string[] {
  const out: string[] = [];
  for (const list of lists)
    for (const login of list) {
      const l = normalLogin(login);
      if (l && !out.includes(l)) out.push(l);
    }
  return out;
}

/** Everyone whose instructions are in the run: requester, folded requesters, authorized commenters. */
export function runRequesters(run: {
  requestedBy: string;
  requesters: readonly string[];
  context: Record<string, unknown>;
}): string[] {
  const comments = Array.isArray(run.context.comments) ? run.context.comments : [];
  const authorized = comments
    .filter(
      (c): c is { author: string; authorized: true } =>
        typeof c === "object" && c !== null && c.authorized === true && typeof c.author === "string",
    )
    .map((c) => c.author);
  return mergeRequesters([run.requestedBy], run.requesters, authorized);
}

export function isRequester(
  p: { requestedBy: string; requesters: readonly string[] },
  login: string,
): boolean {
  const l = normalLogin(login);
  return normalLogin(p.requestedBy) === l || p.requesters.some((r) => normalLogin(r) === l);
}
