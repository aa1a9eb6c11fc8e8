import { Counter, Gauge, Registry } from "prom-client";

/**
 * Metrics of the GitHub client, shared by every command that talks to GitHub (the gate, the
 * reconciler). A client module registers them on the registry it is handed, so it never needs
 * to know which command it serves.
 */
export interface GitHubClientMetrics {
  githubRequests: Counter<"method" | "route" | "status">;
  rateLimitRemaining: Gauge;
}

/** Registers the GitHub client's metrics on `registry` (a fresh one when omitted). */
export function createGitHubClientMetrics(registry: Registry = new Registry()): GitHubClientMetrics {
  return {
    githubRequests: new Counter({
      name: "countersign_github_requests_total",
      help: "GitHub API requests, by method, route template and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    rateLimitRemaining: new Gauge({
      name: "countersign_github_rate_limit_remaining",
      help: "x-ratelimit-remaining of the latest GitHub API response.",
      registers: [registry],
    }),
  };
}
