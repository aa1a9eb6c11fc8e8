/** The cluster-side ports of src/kube the reconciler keeps its state in: the inventory and the Lease. */
import { ConfigMapInventoryStore } from "../kube/inventory-store.js";
import type { ConfigMapInventoryStoreOptions } from "../kube/inventory-store.js";
import type { KubeTransport } from "../kube/kube-http.js";
import { KubeLeaderLease } from "../kube/leader-lease.js";
import type { KubeLeaderLeaseOptions } from "../kube/leader-lease.js";

export function kubeInventoryStore(
  transport: KubeTransport,
  options: ConfigMapInventoryStoreOptions,
): ConfigMapInventoryStore {
  return new ConfigMapInventoryStore(transport, options);
}

export function kubeLeaderLease(transport: KubeTransport, options: KubeLeaderLeaseOptions): KubeLeaderLease {
  return new KubeLeaderLease(transport, options);
}
