/** The reconciler's Prometheus metrics (on /metrics), registered on the process registry. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DriftReport } from "./drift.js";
import type { PassReport } from "./pass.js";

export interface ReconcilerMetrics {
  registry: Registry;
  passes: Counter<"outcome">;
  objects: Counter<"result">;
  passDuration: Histogram;
  lastAppliedTime: Gauge;
  refusals: Counter;
  driftFound: Counter;
  driftReverted: Counter;
}

export function createReconcilerMetrics(registry: Registry = new Registry()): ReconcilerMetrics {
  const registers = [registry];
  return {
    registry,
    passes: new Counter({
      name: "countersign_reconcile_passes_total",
      help: "Reconcile passes by outcome (idle, nothing, applied, refused, failed).",
      labelNames: ["outcome"],
      registers,
    }),
    objects: new Counter({
      name: "countersign_reconcile_objects_total",
      help: "Objects handled by apply passes, by result (created, configured, unchanged, deleted, skipped, failed).",
      labelNames: ["result"],
      registers,
    }),
    passDuration: new Histogram({
      name: "countersign_reconcile_pass_duration_seconds",
      help: "Duration of reconcile passes that read a new head (idle passes excluded).",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    lastAppliedTime: new Gauge({
      name: "countersign_reconcile_last_applied_commit_timestamp_seconds",
      help: "Unix time at which the last commit was applied in full.",
      registers,
    }),
    refusals: new Counter({
      name: "countersign_reconcile_refusals_total",
      help: "Passes that refused a commit.",
      registers,
    }),
    driftFound: new Counter({
      name: "countersign_reconcile_drift_found_total",
      help: "Objects found drifted from their approved content.",
      registers,
    }),
    driftReverted: new Counter({
      name: "countersign_reconcile_drift_reverted_total",
      help: "Drifted objects re-applied with their approved content.",
      registers,
    }),
  };
}

export function recordPass(metrics: ReconcilerMetrics, report: PassReport, seconds: number, now: Date): void {
  metrics.passes.inc({ outcome: report.outcome });
  if (report.outcome !== "idle") metrics.passDuration.observe(seconds);
  for (const r of report.results ?? []) metrics.objects.inc({ result: r.outcome });
  if (report.outcome === "refused") metrics.refusals.inc();
  if (report.outcome === "applied") metrics.lastAppliedTime.set(now.getTime() / 1000);
}

export function recordDrift(metrics: ReconcilerMetrics, report: DriftReport): void {
  metrics.driftFound.inc(report.drifted.length);
  metrics.driftReverted.inc(report.reverted.length);
}
