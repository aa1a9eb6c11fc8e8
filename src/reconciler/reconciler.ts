/**
 * One reconciler: its settings, its ports, and the little state kept between passes (the branch
 * head's ETag, whether work is pending, the parse cache). The pass itself is in ./pass.ts, drift in
 * ./drift.ts and adoption in ./adopt.ts.
 */
import type { Masker } from "../core/mask/types.js";
import type { ClusterApplier, InventoryStore, LeaderLease } from "../core/ports/cluster.js";
import type { Clock } from "../core/ports/clock.js";
import type { RepoRef, RevisionReader } from "../core/ports/revision-reader.js";
import type { ManageScope } from "../core/reconcile/self-protection.js";
import type { ApplyReporter, PullApprovals, ReconcilerAudit, ReconcilerLog } from "./ports.js";

export interface ReconcilerSettings {
  cluster: string;
  repo: RepoRef;
  branch: string;
  /** Managed paths of the repository. */
  paths: string[];
  scope: ManageScope;
  concurrency: number;
  crdEstablishedTimeoutMs: number;
  /** First-parent commits walked between L and D at most (more: refused, fail closed). */
  historyLimit: number;
  /** The deployment's key (COUNTERSIGN_FINGERPRINT_KEY): Secrets are digested with it, as the gate does. */
  secretDigestKey?: string;
}

export interface ReconcilerDeps {
  settings: ReconcilerSettings;
  reader: RevisionReader;
  approvals: PullApprovals;
  reporter: ApplyReporter;
  applier: ClusterApplier;
  inventory: InventoryStore;
  lease?: LeaderLease;
  audit: ReconcilerAudit;
  masker: Masker;
  log: ReconcilerLog;
  clock: Clock;
  /** Milliseconds for durations (performance.now in production). */
  now(): number;
}

/** Defaults of the settings the config file may leave out. */
export const DEFAULT_HISTORY_LIMIT = 500;
