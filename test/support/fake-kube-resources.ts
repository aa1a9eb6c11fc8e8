/** The fake API server's resource registry: built-in kinds, plus kinds served by Established CRDs. */

export interface FakeResource {
  group: string;
  version: string;
  /** Plural, as in URLs. */
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
}

const BUILT_IN: [string, string, string, boolean][] = [
  // group/version, plural, kind, namespaced
  ["v1", "namespaces", "Namespace", false],
  ["v1", "configmaps", "ConfigMap", true],
  ["v1", "secrets", "Secret", true],
  ["v1", "services", "Service", true],
  ["v1", "serviceaccounts", "ServiceAccount", true],
  ["v1", "pods", "Pod", true],
  ["v1", "persistentvolumeclaims", "PersistentVolumeClaim", true],
  ["v1", "persistentvolumes", "PersistentVolume", false],
  ["apps/v1", "deployments", "Deployment", true],
  ["apps/v1", "statefulsets", "StatefulSet", true],
  ["apps/v1", "daemonsets", "DaemonSet", true],
  ["batch/v1", "jobs", "Job", true],
  ["batch/v1", "cronjobs", "CronJob", true],
  ["rbac.authorization.k8s.io/v1", "roles", "Role", true],
  ["rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true],
  ["rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false],
  ["rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false],
  ["networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", true],
  ["networking.k8s.io/v1", "ingresses", "Ingress", true],
  ["policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true],
  ["coordination.k8s.io/v1", "leases", "Lease", true],
  ["apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false],
  ["storage.k8s.io/v1", "storageclasses", "StorageClass", false],
];

export class ResourceRegistry {
  private readonly byGroupVersion = new Map<string, FakeResource[]>();
  /** CRD name -> the group versions it added. */
  private readonly fromCrd = new Map<string, FakeResource[]>();

  constructor() {
    for (const [gv, name, kind, namespaced] of BUILT_IN) {
      const slash = gv.indexOf("/");
      this.add({
        group: slash < 0 ? "" : gv.slice(0, slash),
        version: slash < 0 ? gv : gv.slice(slash + 1),
        name,
        singular: kind.toLowerCase(),
        kind,
        namespaced,
      });
    }
  }

  private add(r: FakeResource): void {
    const gv = r.group ? `${r.group}/${r.version}` : r.version;
    const list = this.byGroupVersion.get(gv) ?? [];
    this.byGroupVersion.set(
      gv,
      list.filter((x) => x.name !== r.name),
    );
    this.byGroupVersion.get(gv)!.push(r);
  }

  groupVersions(): string[] {
    return [...this.byGroupVersion.keys()].filter((gv) => (this.byGroupVersion.get(gv)?.length ?? 0) > 0);
  }

  resources(groupVersion: string): FakeResource[] | undefined {
    const list = this.byGroupVersion.get(groupVersion);
    return list && list.length > 0 ? list : undefined;
  }

  find(group: string, version: string, plural: string): FakeResource | undefined {
    return this.resources(group ? `${group}/${version}` : version)?.find((r) => r.name === plural);
  }

  findKind(group: string, version: string, kind: string): FakeResource | undefined {
    return this.resources(group ? `${group}/${version}` : version)?.find((r) => r.kind === kind);
  }

  /** Serves the kinds of an Established CRD (every served version). */
  serveCrd(crdName: string, spec: Record<string, unknown>): void {
    this.removeCrd(crdName);
    const names = spec["names"] as Record<string, unknown>;
    const versions = (spec["versions"] as Record<string, unknown>[]).filter((v) => v["served"] !== false);
    const added = versions.map((v) => ({
      group: String(spec["group"]),
      version: String(v["name"]),
      name: String(names["plural"]),
      singular: String(names["singular"] ?? String(names["kind"]).toLowerCase()),
      kind: String(names["kind"]),
      namespaced: spec["scope"] !== "Cluster",
    }));
    for (const r of added) this.add(r);
    this.fromCrd.set(crdName, added);
  }

  removeCrd(crdName: string): void {
    for (const r of this.fromCrd.get(crdName) ?? []) {
      const gv = `${r.group}/${r.version}`;
      this.byGroupVersion.set(
        gv,
        (this.byGroupVersion.get(gv) ?? []).filter((x) => x.name !== r.name),
      );
    }
    this.fromCrd.delete(crdName);
  }
}
