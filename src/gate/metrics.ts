import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { createGitHubClientMetrics } from "../clients/metrics.js";
import type { GitHubClientMetrics } from "../clients/metrics.js";

/** The gate's Prometheus metrics, on a registry of its own (served at /metrics). */
export interface GateMetrics extends GitHubClientMetrics {
  registry: Registry;
  events: Counter<"event" | "action" | "outcome">;
  evaluationSeconds: Histogram<"event">;
}

export function createGateMetrics(options: { defaultMetrics?: boolean } = {}): GateMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: "countersign_" });
  return {
    registry,
    ...createGitHubClientMetrics(registry),
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
  };
}
