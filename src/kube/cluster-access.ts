/**
 * Everything the reconciler needs from its cluster, built in one call from its config: the
 * client, the ClusterApplier, the InventoryStore and (when leader election is on) the
 * LeaderLease, sharing one connection pool and one discovery cache.
 */
import type { ClusterApplier, InventoryStore, LeaderLease } from "../core/ports/cluster.js";
import { KubeClusterApplier } from "./cluster-applier.js";
import { createKubeClient } from "./client.js";
import type { KubeClientOptions } from "./client.js";
import { ConfigMapInventoryStore } from "./inventory-store.js";
import type { ConfigMapInventoryStoreOptions } from "./inventory-store.js";
import type { KubeHttpClient } from "./kube-http.js";
import { KubeLeaderLease } from "./leader-lease.js";
import type { KubeLeaderLeaseOptions } from "./leader-lease.js";

export interface ClusterAccessOptions extends KubeClientOptions {
  inventory: ConfigMapInventoryStoreOptions;
  /** Omit when leader election is disabled. */
  lease?: KubeLeaderLeaseOptions;
}

export interface ClusterAccess {
  client: KubeHttpClient;
  applier: ClusterApplier;
  inventory: InventoryStore;
  lease: LeaderLease | undefined;
  /** Closes idle connections (after the lease was released, on shutdown). */
  close(): void;
}

export function createClusterAccess(options: ClusterAccessOptions): ClusterAccess {
  const client = createKubeClient(options);
  return {
    client,
    applier: new KubeClusterApplier(client),
    inventory: new ConfigMapInventoryStore(client, options.inventory),
    lease: options.lease ? new KubeLeaderLease(client, options.lease) : undefined,
    close: () => client.close(),
  };
}
