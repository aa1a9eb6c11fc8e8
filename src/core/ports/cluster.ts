/**
 * What the reconciler needs from a Kubernetes cluster, named for its role. Implemented by
 * src/kube/ (client-node, server-side apply); tests hand in the in-memory fake API server or
 * nock. The reconciler talks to the cluster only through these ports.
 */
import type { KubeObject } from "../model.js";

/** Identity of one live object (the API version is needed to address it, not part of its key). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** What a server-side apply did to one object (fluxcd ssa's typed results). */
export type ApplyResult = "created" | "configured" | "unchanged";

export interface ApplyOptions {
  /** Server-side dry run (`dryRun=All`): validated and admitted, nothing persisted. */
  dryRun: boolean;
  /** `force=true`: take ownership of fields another field manager owns (see docs/reconciler.md). */
  force: boolean;
}

export interface ApplyOutcome {
  result: ApplyResult;
  /** The object as the API server returned it. */
  live: KubeObject;
}

/**
 * Thrown by adapters for every error answer of the API server. `message` is the server's own
 * text and may quote object values: callers mask it before it leaves the process.
 */
export class ClusterApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    /** Kubernetes `Status.reason` (`Conflict`, `Invalid`, `Forbidden`, `NotFound`...), or "" */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ClusterApiError";
  }
}

/** Applies, reads and deletes objects; the only writer of managed content. */
export interface ClusterApplier {
  /** Server-side apply with the field manager FIELD_MANAGER. */
  apply(object: KubeObject, options: ApplyOptions): Promise<ApplyOutcome>;
  /** Deletes an object (foreground propagation); "absent" when it was already gone. */
  delete(ref: ObjectRef, options: { dryRun: boolean }): Promise<"deleted" | "absent">;
  /** The live object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Scope of a kind by discovery; undefined when the server does not serve it (yet). */
  scopeOf(apiVersion: string, kind: string): Promise<"Namespaced" | "Cluster" | undefined>;
  /** Waits until a CRD reports Established=True, or throws after `timeoutMs`. */
  waitForCrdEstablished(name: string, timeoutMs: number): Promise<void>;
}

/** One object the reconciler applied, as remembered in the inventory. */
export interface InventoryEntry {
  apiVersion: string;
  /** Digest of the content applied (the same digest approval records bind). */
  digest: string;
}

/** What this reconciler last applied to its cluster: kept in the cluster, in its own namespace. */
export interface Inventory {
  cluster: string;
  /** The last commit L applied in full (or adopted as baseline). */
  lastAppliedCommit: string;
  /** Object key (`group/kind/namespace/name`) -> entry. */
  objects: Record<string, InventoryEntry>;
  updatedAt: string;
}

/** Reads and writes the inventory (sharded and compressed so 10,000 objects fit under 1 MiB objects). */
export interface InventoryStore {
  /** undefined when there is none yet (a cluster that was never reconciled or adopted). */
  read(): Promise<Inventory | undefined>;
  /** Replaces the inventory; conditional on the version read, so two writers cannot interleave. */
  write(inventory: Inventory): Promise<void>;
}

/** Leader election over a coordination.k8s.io/v1 Lease. */
export interface LeaderLease {
  /** Acquires or renews the lease; true while this process holds it. */
  tryAcquireOrRenew(): Promise<boolean>;
  /** Whether the lease is still held now (time-based, no request): checked before every write. */
  isHeld(): boolean;
  /** Gives the lease up (on shutdown). */
  release(): Promise<void>;
}
