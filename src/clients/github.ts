import { ProbotOctokit } from "probot";
import type { GateMetrics } from "../gate/metrics.js";

export interface GitHubClientOptions {
  /** Counts every request by route and tracks the rate limit. */
  metrics?: GateMetrics;
  /** Tests and benchmarks: no retries, no throttling (or every write waits for the throttler). */
  testing?: boolean;
}

type OctokitClass = typeof ProbotOctokit;

interface HookOptions {
  method?: string;
  url?: string;
}

/**
 * The one place the GitHub client class is built. Production keeps Probot's retry and throttling
 * plugins (GitHub errors retried with backoff); `testing` turns both off.
 */
export function buildOctokitClass(options: GitHubClientOptions = {}): OctokitClass {
  const { metrics } = options;
  let Octokit: OctokitClass = ProbotOctokit;
  if (metrics !== undefined) {
    Octokit = Octokit.plugin((octokit) => {
      const record = (request: HookOptions, status: string, remaining: unknown): void => {
        // The route template (`/repos/{owner}/{repo}/git/blobs/{file_sha}`) keeps label cardinality bounded.
        metrics.githubRequests.inc({
          method: request.method ?? "GET",
          route: (request.url ?? "unknown").split("?")[0] ?? "unknown",
          status,
        });
        const left = Number(remaining);
        if (remaining !== undefined && Number.isFinite(left)) metrics.rateLimitRemaining.set(left);
      };
      octokit.hook.after("request", (response, request) => {
        record(request as HookOptions, String(response.status), response.headers["x-ratelimit-remaining"]);
      });
      octokit.hook.error("request", (error, request) => {
        const e = error as { status?: number; response?: { headers?: Record<string, unknown> } };
        record(
          request as HookOptions,
          String(e.status ?? "error"),
          e.response?.headers?.["x-ratelimit-remaining"],
        );
        throw error;
      });
    }) as unknown as OctokitClass;
  }
  if (options.testing === true) {
    Octokit = Octokit.defaults((o: object) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    })) as unknown as OctokitClass;
  }
  return Octokit;
}

/** The API base URL for GitHub Enterprise Server (`GHE_HOST`, `GHE_PROTOCOL`), or undefined for github.com. */
export function gitHubBaseUrl(env: { GHE_HOST?: string; GHE_PROTOCOL?: string }): string | undefined {
  const host = env.GHE_HOST?.trim();
  if (host === undefined || host === "") return undefined;
  const protocol = (env.GHE_PROTOCOL ?? "https").trim().replace(/:$/, "");
  if (protocol !== "https" && protocol !== "http") {
    throw new Error(`GHE_PROTOCOL must be https or http, got "${protocol}"`);
  }
  if (/[/\s@]/.test(host))
    throw new Error(`GHE_HOST must be a host name (optionally with :port), got "${host}"`);
  return `${protocol}://${host}/api/v3`;
}
