import { systemClock } from "../core/ports/clock.js";
import type { Clock } from "../core/ports/clock.js";
import { createGitHubCaches } from "../github/github-caches.js";
import type { GitHubCaches } from "../github/github-caches.js";
import { Lru } from "../github/lru.js";
import { OctokitApprovalEvidence } from "../github/octokit-approval-evidence.js";
import { OctokitCheckPublisher } from "../github/octokit-check-publisher.js";
import { OctokitPullRequestSource } from "../github/octokit-pull-request-source.js";
import type { GitHubClient } from "../github/octokit-pull-request-source.js";
import type { GateEngine } from "../policy-engine/engine.js";
import type { GateDeps, GateLog } from "./evaluate.js";
import type { PlannedHead } from "./plan-head.js";
import { createGateMetrics } from "./metrics.js";
import type { GateMetrics } from "./metrics.js";
import { InFlight } from "./in-flight.js";
import { DeliveryDedupe, PullRequestQueue } from "./work-queue.js";

/** State shared by every event the process handles: caches, ordering, deduplication, metrics. */
export interface GateRuntime {
  caches: GitHubCaches;
  /** `owner/repo@sha` -> change-set digest of that head. */
  digests: Lru<string>;
  /** Plans of recent heads (see planKey). */
  plans: Lru<PlannedHead>;
  queue: PullRequestQueue;
  deliveries: DeliveryDedupe;
  /** Evaluations in progress (a graceful shutdown waits for them). */
  inFlight: InFlight;
  engine: GateEngine;
  clock: Clock;
  metrics: GateMetrics;
  /** This app's id: only its own check runs and comments are trusted (required: never a wildcard). */
  appId: number;
  /**
   * PR key -> logins that pushed to it (the `sender` of `synchronize`), lower case. Commit
   * metadata names whoever the pusher chose, so this catches a second account pushing commits
   * authored as someone else. In memory only: lost on restart (see docs/approval.md).
   */
  pushers: Lru<ReadonlySet<string>>;
}

export interface GateRuntimeOptions {
  engine: GateEngine;
  appId: number;
  clock?: Clock;
  metrics?: GateMetrics;
  caches?: GitHubCaches;
}

export function createGateRuntime(options: GateRuntimeOptions): GateRuntime {
  const runtime: GateRuntime = {
    caches: options.caches ?? createGitHubCaches(),
    digests: new Lru<string>(10_000),
    // A plan of 1,000 objects holds their parsed content: keep only the most recent heads.
    plans: new Lru<PlannedHead>(32),
    queue: new PullRequestQueue(),
    deliveries: new DeliveryDedupe(),
    inFlight: new InFlight(),
    engine: options.engine,
    clock: options.clock ?? systemClock,
    metrics: options.metrics ?? createGateMetrics(),
    pushers: new Lru<ReadonlySet<string>>(10_000),
    appId: options.appId,
  };
  return runtime;
}

/** The adapters for one event, over the installation's Octokit. */
export function gateDeps(runtime: GateRuntime, octokit: GitHubClient, log: GateLog): GateDeps {
  return {
    source: new OctokitPullRequestSource(octokit, runtime.caches),
    publisher: new OctokitCheckPublisher(octokit, runtime.caches, runtime.appId, () => runtime.clock.now()),
    evidence: new OctokitApprovalEvidence(octokit, runtime.caches, runtime.appId),
    appId: runtime.appId,
    engine: runtime.engine,
    digests: runtime.digests,
    plans: runtime.plans,
    clock: runtime.clock,
    log,
  };
}

/** Queue key of a pull request. */
export function pullKey(owner: string, repo: string, number: number): string {
  return `${owner}/${repo}#${number}`.toLowerCase();
}
