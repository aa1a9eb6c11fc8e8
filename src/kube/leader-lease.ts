/**
 * LeaderLease over a coordination.k8s.io/v1 Lease, in the manner of client-go's leader election:
 * optimistic concurrency by resourceVersion; another holder's lease counts as expired only when
 * this process has seen it unchanged for a whole lease duration on its own monotonic clock (so
 * clock skew between replicas cannot make two leaders); `isHeld` is local time only, with a
 * safety margin, so a leader that cannot renew stops writing before anyone may take over.
 */
import { ClusterApiError } from "../core/ports/cluster.js";
import type { LeaderLease } from "../core/ports/cluster.js";
import type { KubeTransport } from "./kube-http.js";

export interface KubeLeaderLeaseOptions {
  namespace: string;
  /** Lease name (`leaderElection.leaseName`). */
  name: string;
  /** This replica's identity (POD_NAME), unique among replicas. */
  identity: string;
  /** Default 15. */
  leaseDurationSeconds?: number;
  /**
   * isHeld turns false this long before the lease could expire for others. Default a third of
   * the duration: room for a pass's last write and clock drift.
   */
  safetyMarginMs?: number;
  /** Wall clock, for the Lease's acquire/renew times. */
  now?: () => number;
  /** Monotonic clock for expiry decisions. Default performance.now. */
  monotonic?: () => number;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** MicroTime: RFC 3339 with exactly six fractional digits, as the API server parses it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class KubeLeaderLease implements LeaderLease {
  private readonly durationMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly path: string;
  /** Monotonic time at which the last successful acquire/renew request was sent. */
  private renewedAt: number | undefined;
  /** The other holder's lease as last seen, and when (monotonic) it was first seen like that. */
  private observed: { resourceVersion: string; at: number } | undefined;

  constructor(
    private readonly transport: KubeTransport,
    private readonly options: KubeLeaderLeaseOptions,
  ) {
    const seconds = options.leaseDurationSeconds ?? 15;
    if (!Number.isInteger(seconds) || seconds < 1)
      throw new Error("leader election: leaseDurationSeconds must be a positive integer");
    if (!options.identity) throw new Error("leader election: an identity (POD_NAME) is required");
    this.durationMs = seconds * 1000;
    this.marginMs = options.safetyMarginMs ?? this.durationMs / 3;
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
  }

  isHeld(): boolean {
    return (
      this.renewedAt !== undefined && this.monotonic() < this.renewedAt + this.durationMs - this.marginMs
    );
  }

  async tryAcquireOrRenew(): Promise<boolean> {
    // Taken before the request: the lease is valid from when it was asked for, not answered.
    const started = this.monotonic();
    const lease = await this.get();
    const now = microTime(this.now());
    const seconds = this.durationMs / 1000;
    if (!lease) {
      const created = await this.write("POST", this.path, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: {
          holderIdentity: this.options.identity,
          leaseDurationSeconds: seconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      });
      return this.settle(created, started);
    }
    const spec = lease.spec ?? {};
    const resourceVersion = lease.metadata?.resourceVersion ?? "";
    const mine = spec.holderIdentity === this.options.identity;
    if (!mine) {
      if (this.observed?.resourceVersion !== resourceVersion)
        this.observed = { resourceVersion, at: started };
      const theirs = (spec.leaseDurationSeconds ?? seconds) * 1000;
      const free = !spec.holderIdentity;
      if (!free && started - this.observed.at <= theirs) {
        this.renewedAt = undefined;
        return false;
      }
    }
    const next = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: seconds,
        renewTime: now,
        ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    return this.settle(
      await this.write("PUT", `${this.path}/${encodeURIComponent(this.options.name)}`, next),
      started,
    );
  }

  async release(): Promise<void> {
    const held = this.renewedAt !== undefined;
    this.renewedAt = undefined;
    if (!held) return;
    const lease = await this.get();
    if (!lease || lease.spec?.holderIdentity !== this.options.identity) return;
    // As client-go: an empty holder and a 1 s duration let the next replica take over at once.
    const next = {
      ...lease,
      spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
    };
    await this.write("PUT", `${this.path}/${encodeURIComponent(this.options.name)}`, next);
  }

  private settle(written: boolean, started: number): boolean {
    this.renewedAt = written ? started : undefined;
    if (written) this.observed = undefined;
    return written;
  }

  private async get(): Promise<LeaseObject | undefined> {
    try {
      const { body } = await this.transport.request({
        method: "GET",
        path: `${this.path}/${encodeURIComponent(this.options.name)}`,
        idempotent: true,
        operation: `reading the leader lease ${this.options.namespace}/${this.options.name}`,
      });
      return body as LeaseObject;
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** true when written; false when another replica won the race (409). */
  private async write(method: "POST" | "PUT", path: string, body: unknown): Promise<boolean> {
    try {
      await this.transport.request({
        method,
        path,
        body,
        operation: `${method === "POST" ? "creating" : "updating"} the leader lease ${this.options.namespace}/${this.options.name}`,
      });
      return true;
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 409) return false;
      throw error;
    }
  }
}
