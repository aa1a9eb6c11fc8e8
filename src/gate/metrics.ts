import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The gate's Prometheus metrics, on a registry of its own (served at /metrics). */
export interface GateMetrics {
  registry: Registry;
  events: Counter<"event" | "action" | "outcome">;
  evaluationSeconds: Histogram<"event">;
  githubRequests: Counter<"method" | "route" | "status">;
  rateLimitRemaining: Gauge;
}

export function createGateMetrics(options: { defaultMetrics?: boolean } = {}): GateMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: "countersign_" });
  return {
    registry,
    events: new Counter({
      name: "countersign_events_total",
      help: "Webhook events handled, by event, action and outcome.",
      labelNames: ["event", "action", "outcome"],
      registers: [registry],
    }),
    evaluationSeconds: new Histogram({
      name: "countersign_evaluation_seconds",
      help: "Time from webhook receipt to the published verdict.",
      labelNames: ["event"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
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
