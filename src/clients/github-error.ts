/**
 * The one error a failed GitHub API request becomes, whatever the Octokit plugin that saw it:
 * the HTTP status, the request (method and path, no headers, no query), and the original error
 * as its cause. Code asks `gitHubStatus(error)` instead of sniffing objects for a `status`.
 */
export class GitHubApiError extends Error {
  override readonly name = "GitHubApiError";
  /** HTTP status of the answer; undefined when there was none (network, timeout). */
  readonly status: number | undefined;
  /** What was asked, for messages: `GET /repos/acme/deploy/git/trees/…` (describeError prints it). */
  readonly request: { method: string; url: string };

  constructor(
    message: string,
    status: number | undefined,
    request: { method: string; url: string },
    cause: unknown,
  ) {
    super(message, { cause });
    this.status = status;
    this.request = request;
  }
}

/** The path of `url`, decoded for reading (`.github%2Fcountersign.yml` → `.github/countersign.yml`). */
function pathOf(url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://github.invalid").pathname;
  } catch {
    path = url.split("?")[0] ?? url;
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Wraps an error from Octokit's request hook (a RequestError, or a network failure). */
export function toGitHubApiError(error: unknown, request: { method?: string; url?: string }): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const status = (error as { status?: unknown } | null)?.status;
  const message = error instanceof Error ? error.message : String(error);
  // The request as sent (RequestError keeps it), else the route template the hook was given.
  const sent = (error as { request?: { method?: unknown; url?: unknown } } | null)?.request;
  const method = typeof sent?.method === "string" ? sent.method : (request.method ?? "GET");
  const url = typeof sent?.url === "string" ? sent.url : (request.url ?? "");
  return new GitHubApiError(
    message,
    typeof status === "number" ? status : undefined,
    { method: method.toUpperCase(), url: pathOf(url) },
    error,
  );
}

/** The HTTP status of a GitHub API failure (the error or one of its causes), or undefined. */
export function gitHubStatus(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof GitHubApiError) return current.status;
    const status = (current as { status?: unknown }).status;
    if (typeof status === "number") return status;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
