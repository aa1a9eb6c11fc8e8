/**
 * The long-running reconciler: passes and drift checks on their node-cron schedules, never
 * overlapping (one queue for both), only while this replica holds the lease; /healthz, /readyz and
 * /metrics; and a clean stop (SIGTERM): no new pass, the current one finishes or is abandoned after
 * a grace period (its open intent is closed as interrupted on the next start), the audit spool is
 * flushed, the lease released.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import cron from "node-cron";
import type { ScheduledTask } from "node-cron";
import { describeError } from "../core/error-text.js";
import type { LeaderLease } from "../core/ports/cluster.js";
import { checkDrift } from "./drift.js";
import { recordDrift, recordPass } from "./metrics.js";
import type { ReconcilerMetrics } from "./metrics.js";
import { newPassState, runPass } from "./pass.js";
import type { PassReport } from "./pass.js";
import type { ReconcilerDeps } from "./reconciler.js";

export interface DaemonOptions {
  deps: ReconcilerDeps;
  schedule: { pass: string; drift: string };
  metrics: ReconcilerMetrics;
  port: number;
  /** How often the lease is renewed (a third of its duration). */
  leaseRenewMs: number;
  /** How long a stop waits for the pass in flight. */
  stopGraceMs?: number;
}

/** node-cron's own messages go to our logger instead of stderr. */
function cronLogger(deps: ReconcilerDeps): {
  info(m: string): void;
  warn(m: string): void;
  error(m: string | Error): void;
  debug(m: string | Error): void;
} {
  return {
    info: () => undefined,
    debug: () => undefined,
    warn: (message) => deps.log.warn({ component: "node-cron" }, deps.masker.maskText(String(message))),
    error: (message) =>
      deps.log.error({ component: "node-cron" }, deps.masker.maskText(describeError(message))),
  };
}

export class ReconcilerDaemon {
  readonly #state = newPassState();
  readonly #tasks: ScheduledTask[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #pendingPass: Promise<unknown> | undefined;
  #stopping = false;
  #lastCrashed = false;
  #leaseTimer: ReturnType<typeof setInterval> | undefined;
  #server: Server | undefined;

  constructor(private readonly options: DaemonOptions) {}

  get lease(): LeaderLease | undefined {
    return this.options.deps.lease;
  }

  /** Ready while it holds the lease (or runs without election) and its last pass did not crash. */
  isReady(): boolean {
    return !this.#stopping && (this.lease === undefined || this.lease.isHeld()) && !this.#lastCrashed;
  }

  async start(): Promise<number> {
    const { deps } = this.options;
    // Intents a crash left open are closed first (as interrupted), and spooled records stored.
    try {
      const flushed = await deps.audit.flushSpool();
      if (flushed.interrupted > 0)
        deps.log.warn({ interrupted: flushed.interrupted }, "closed intents a previous run left open");
    } catch (error) {
      deps.log.warn(
        { error: deps.masker.maskText(describeError(error)) },
        "the audit spool could not be flushed yet; no apply until it can",
      );
    }
    const port = await this.listen();
    await this.renewLease();
    this.#leaseTimer = setInterval(() => void this.renewLease(), this.options.leaseRenewMs);
    this.#leaseTimer.unref?.();
    const logger = cronLogger(deps);
    this.#tasks.push(
      cron.schedule(this.options.schedule.pass, () => this.enqueue("pass"), {
        name: "reconcile-pass",
        noOverlap: true,
        logger,
      }),
      cron.schedule(this.options.schedule.drift, () => this.enqueue("drift"), {
        name: "reconcile-drift",
        noOverlap: true,
        logger,
      }),
    );
    void this.enqueue("pass");
    return port;
  }

  /** Runs one pass now (through the same queue as the schedule). */
  runOnce(): Promise<PassReport | undefined> {
    return this.enqueue("pass") as Promise<PassReport | undefined>;
  }

  private enqueue(kind: "pass" | "drift"): Promise<unknown> {
    if (this.#stopping) return Promise.resolve(undefined);
    // A pass asked for while one is queued or running joins it: passes never pile up.
    if (kind === "pass" && this.#pendingPass !== undefined) return this.#pendingPass;
    const run = this.#queue.then(() => this.work(kind));
    this.#queue = run.catch(() => undefined);
    if (kind === "pass") {
      this.#pendingPass = run;
      void run
        .finally(() => {
          if (this.#pendingPass === run) this.#pendingPass = undefined;
        })
        .catch(() => undefined);
    }
    return run;
  }

  private async work(kind: "pass" | "drift"): Promise<unknown> {
    const { deps, metrics } = this.options;
    if (this.#stopping) return undefined;
    if (this.lease !== undefined && !this.lease.isHeld()) return undefined;
    const started = deps.now();
    try {
      if (kind === "pass") {
        const report = await runPass(deps, this.#state);
        recordPass(metrics, report, (deps.now() - started) / 1000, deps.clock.now());
        this.#lastCrashed = false;
        if (report.outcome !== "idle")
          deps.log.info(
            { outcome: report.outcome, sha: report.sha, message: report.message },
            "reconcile pass",
          );
        return report;
      }
      const report = await checkDrift(deps);
      recordDrift(metrics, report);
      return report;
    } catch (error) {
      // runPass never throws: anything here is a defect; readiness says so until a pass succeeds.
      if (kind === "pass") this.#lastCrashed = true;
      deps.log.error({ kind, error: deps.masker.maskText(describeError(error)) }, `${kind} crashed`);
      return undefined;
    }
  }

  private async renewLease(): Promise<void> {
    if (this.lease === undefined || this.#stopping) return;
    try {
      await this.lease.tryAcquireOrRenew();
    } catch (error) {
      this.options.deps.log.warn(
        { error: this.options.deps.masker.maskText(describeError(error)) },
        "renewing the leader lease failed",
      );
    }
  }

  private listen(): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      } else if (path === "/readyz") {
        const ready = this.isReady();
        res
          .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
          .end(ready ? "ready\n" : "not ready\n");
      } else if (path === "/metrics") {
        this.options.metrics.registry
          .metrics()
          .then((text) =>
            res.writeHead(200, { "content-type": this.options.metrics.registry.contentType }).end(text),
          )
          .catch(() => res.writeHead(500).end());
      } else {
        res.writeHead(404).end();
      }
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Stops scheduling, waits for the work in flight (bounded), flushes the spool, releases the lease. */
  async stop(): Promise<void> {
    const { deps } = this.options;
    this.#stopping = true;
    for (const task of this.#tasks) await task.stop();
    if (this.#leaseTimer !== undefined) clearInterval(this.#leaseTimer);
    const grace = this.options.stopGraceMs ?? 25_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = await Promise.race([
      this.#queue.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), grace);
        timer.unref?.();
      }),
    ]);
    if (timer !== undefined) clearTimeout(timer);
    if (!finished)
      deps.log.warn(
        {},
        "the pass in flight did not finish in time: abandoned (its intent is closed as interrupted on the next start)",
      );
    try {
      await deps.audit.flushSpool();
    } catch (error) {
      deps.log.warn(
        { error: deps.masker.maskText(describeError(error)) },
        "the audit spool could not be flushed; it stays on disk for the next start",
      );
    }
    if (this.lease !== undefined) {
      try {
        await this.lease.release();
      } catch (error) {
        deps.log.warn(
          { error: deps.masker.maskText(describeError(error)) },
          "releasing the leader lease failed",
        );
      }
    }
    await new Promise<void>((resolve) =>
      this.#server === undefined ? resolve() : this.#server.close(() => resolve()),
    );
  }
}
