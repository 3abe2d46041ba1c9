// Every GitHub number Steward relies on, in one place, each with where it comes from. A limit that
// is not written here is a limit someone will hit by accident.

/**
 * Hard limit on issue, PR and comment bodies (and review/review-comment bodies). Longer bodies get
 * 422 "Body is too long". Sources: danger/danger-js#424, google/go-github#440,
 * telia-oss/github-pr-resource#259; the REST OpenAPI `maxLength` on body fields.
 */
export const BODY_MAX = 65_536;

/**
 * What Steward aims for in its own bodies. GitHub counts characters after its own normalisation
 * (CRLF, Unicode), so we leave headroom instead of landing exactly on the edge. JS `.length`
 * counts UTF-16 code units, which is never fewer than code points, so it errs on the safe side.
 */
export const BODY_TARGET = 65_000;

/** Issue / PR titles: 422 "title is too long (maximum is 256 characters)" (DavyJonesLocker/party_foul#122). */
export const TITLE_MAX = 256;

/** Check-run `output.summary` and `output.text` maximum (REST check-runs docs: "Maximum length: 65535"). */
export const CHECK_RUN_TEXT_MAX = 65_535;

/** Check-run annotations accepted per create/update request; later updates append (REST check-runs docs). */
export const CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50;

/** Past this many runs of one name in a check suite, GitHub deletes the oldest (REST check-runs docs). */
export const CHECK_RUNS_PER_NAME_RETAINED = 1_000;

/** Label name and description limits: 422 "name is too long (maximum is 50 characters)" (github/docs#32156, REST labels docs). */
export const LABEL_NAME_MAX = 50;
export const LABEL_DESCRIPTION_MAX = 100;

/** Labels on one issue or PR (github/docs#161). */
export const LABELS_PER_ISSUE_MAX = 100;

/** `per_page` maximum on paginated REST endpoints (REST "Using pagination"). */
export const PER_PAGE_MAX = 100;

/** `pulls.listFiles` returns at most this many files, however many pages you ask for (REST pulls docs). */
export const PULL_FILES_MAX = 3_000;

/** `repos.compareCommits` lists at most this many files, and 250 commits per page (REST commits docs). */
export const COMPARE_FILES_MAX = 300;
export const COMPARE_COMMITS_PER_PAGE_MAX = 250;

/**
 * The contents API returns base64 content for files up to 1 MB; 1-100 MB needs the `raw` media
 * type, which the gateway always uses (REST repository contents docs).
 */
export const CONTENTS_JSON_MAX_BYTES = 1_000_000;
export const CONTENTS_RAW_MAX_BYTES = 100_000_000;

/**
 * Webhook deliveries: GitHub waits 10 s for a 2XX on github.com (30 s on GHES) and never redelivers
 * by itself ("Best practices for using webhooks"). Probot answers 202 after 9 s.
 */
export const DELIVERY_TIMEOUT_MS = 10_000;
export const DELIVERY_TIMEOUT_GHES_MS = 30_000;

/**
 * Secondary rate limits (REST "Rate limits for the REST API"): at most 100 concurrent requests,
 * 900 points/min on REST (GET/HEAD/OPTIONS cost 1 point, writes 5), 2,000 points/min on GraphQL,
 * 90 s of CPU per 60 s, and 80 content-creating requests per minute / 500 per hour.
 */
export const SECONDARY_MAX_CONCURRENT = 100;
export const SECONDARY_REST_POINTS_PER_MINUTE = 900;
export const SECONDARY_GRAPHQL_POINTS_PER_MINUTE = 2_000;
export const SECONDARY_CONTENT_CREATING_PER_MINUTE = 80;
export const SECONDARY_CONTENT_CREATING_PER_HOUR = 500;
export const REST_POINTS_READ = 1;
export const REST_POINTS_WRITE = 5;

/**
 * Without a `retry-after` or `x-ratelimit-reset` header GitHub says to wait "at least one minute"
 * after a secondary-limit error and back off exponentially (REST rate-limits docs).
 */
export const SECONDARY_LIMIT_MIN_WAIT_MS = 60_000;

/** Primary limit for an App installation token: at least 5,000 requests/hour (15,000 on Enterprise Cloud). */
export const INSTALLATION_REQUESTS_PER_HOUR_MIN = 5_000;

/**
 * Review comments (REST pulls/comments docs; suggest-changes#28/#48/#64): anchor with `line`/`side`
 * (and `start_line`/`start_side` for a range; `position` is deprecated). Both lines must be inside
 * one hunk of the PR's diff on the given side, `start_line` < `line`. ONE bad anchor fails the
 * whole review with 422, hence the validator. Suggestions cannot target deleted (LEFT) lines.
 * There is no documented cap on comments per review; a review counts as one content-creating request.
 */
export const REVIEW_COMMENT_BODY_MAX = BODY_MAX;
export const REVIEW_EVENTS = ["COMMENT", "APPROVE", "REQUEST_CHANGES"] as const;

/** Reactions accepted by the REST reactions API. */
export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;
export type ReactionContent = (typeof REACTIONS)[number];

/** The acknowledgement reaction Steward puts on a command comment. */
export const ACK_REACTION: ReactionContent = "eyes";
