// The web host of the GitHub that Steward talks to. Links in comments, issues and PR JSON must point
// there: github.com, or the GitHub Enterprise Server that GHE_HOST names. It is derived from the API
// base URL of the Octokit in hand (Probot sets it from GHE_HOST/GHE_PROTOCOL), so tools never read env.

import { trimEndChar } from "../linear-text.ts";

export const GITHUB_WEB = "https://github.com";

/** https://api.github.com → https://github.com; https://ghe.example.com/api/v3 → https://ghe.example.com. */
export function webUrlFromApi(apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl) return GITHUB_WEB;
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return GITHUB_WEB;
  }
  if (url.hostname === "api.github.com") return GITHUB_WEB;
  const path = trimEndChar(url.pathname, "/").replace(/\/api(?:\/v3)?$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/** The API base URL for a web URL's host: the inverse of `webUrlFromApi`. */
export function apiUrlFromWeb(webUrl: string): string {
  const url = new URL(webUrl);
  if (url.hostname === "github.com" || url.hostname === "www.github.com") return "https://api.github.com";
  return `${url.protocol}//${url.host}/api/v3`;
}

/** The API base URL an Octokit instance sends to. */
export function apiBaseUrlOf(octokit: { request: { endpoint: { DEFAULTS: { baseUrl: string } } } }): string {
  return octokit.request.endpoint.DEFAULTS.baseUrl;
}

/** `<web>/<owner>/<repo>/issues/` in lower case: the prefix of this repository's own issue links. */
export function issueLinkPrefix(webUrl: string, owner: string, repo: string): string {
  return `${webUrl}/${owner}/${repo}/issues/`.toLowerCase();
}

/** The web URL from a webhook's `repository.html_url` (`<web>/<owner>/<repo>`); github.com if absent. */
export function webUrlOfRepo(htmlUrl: unknown, fullName: string): string {
  if (typeof htmlUrl !== "string") return GITHUB_WEB;
  const suffix = `/${fullName}`.toLowerCase();
  const url = trimEndChar(htmlUrl, "/");
  if (!url.toLowerCase().endsWith(suffix)) return GITHUB_WEB;
  const web = url.slice(0, url.length - suffix.length);
  return /^https?:\/\/[^/]+/.test(web) ? web : GITHUB_WEB;
}
