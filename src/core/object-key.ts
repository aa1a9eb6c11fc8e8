/**
 * Object identity: `group/kind/namespace/name`. The API version is not part of the identity, so
 * moving an object from `v1beta1` to `v1` is an update, not a delete plus a create.
 */
import { isWellKnownClusterScoped } from "./well-known-kinds.js";

export interface ObjectKeyParts {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Splits `apps/v1` into `{group: "apps", version: "v1"}`; `v1` is the core group (empty string). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  if (slash < 0) return { group: "", version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `group/kind` — the form used by the cluster-scope table and `clusterScopedKinds` options. */
export function groupKind(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** Builds `group/kind/namespace/name`. No part may contain `/` (validated by the manifest parser). */
export function objectKey(parts: ObjectKeyParts): string {
  return `${parts.group}/${parts.kind}/${parts.namespace}/${parts.name}`;
}

/** Parses an object key; throws on anything that is not exactly four `/`-separated parts with a kind and a name. */
export function parseObjectKey(key: string): ObjectKeyParts {
  const parts = key.split("/");
  const [group, kind, namespace, name] = parts;
  if (parts.length !== 4 || group === undefined || !kind || namespace === undefined || !name) {
    throw new Error(`parsing object key ${JSON.stringify(key)}: expected group/kind/namespace/name`);
  }
  return { group, kind, namespace, name };
}

/** Built-in kinds that are cluster-scoped, as `group/kind`. Every other kind is namespaced unless a CRD says otherwise. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "scheduling.k8s.io/PriorityClass",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "node.k8s.io/RuntimeClass",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "policy/PodSecurityPolicy",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/ResourceSlice",
  "authentication.k8s.io/TokenReview",
  "authentication.k8s.io/SelfSubjectReview",
  "authorization.k8s.io/SubjectAccessReview",
  "authorization.k8s.io/SelfSubjectAccessReview",
  "authorization.k8s.io/SelfSubjectRulesReview",
]);

/**
 * Decides whether a group/kind is cluster-scoped: the built-in kinds, any `extra` (CRDs in the set,
 * the CLI, the repository configuration), and the table of well-known custom kinds unless a CRD in
 * the set declares the kind namespaced (`namespaced`).
 */
export function isClusterScoped(
  group: string,
  kind: string,
  extra?: ReadonlySet<string>,
  namespaced?: ReadonlySet<string>,
): boolean {
  const gk = groupKind(group, kind);
  if (CLUSTER_SCOPED_KINDS.has(gk) || (extra?.has(gk) ?? false)) return true;
  return !(namespaced?.has(gk) ?? false) && isWellKnownClusterScoped(group, kind);
}

/**
 * The scope a CustomResourceDefinition declares for its kind: `{groupKind, clusterScoped}`, or
 * undefined when `obj` is not a well-formed CRD (then its kind keeps the default, namespaced).
 */
export function crdScope(
  obj: Record<string, unknown>,
): { groupKind: string; clusterScoped: boolean } | undefined {
  if (obj["kind"] !== "CustomResourceDefinition") return undefined;
  const apiVersion = obj["apiVersion"];
  if (typeof apiVersion !== "string" || splitApiVersion(apiVersion).group !== "apiextensions.k8s.io")
    return undefined;
  const spec = obj["spec"];
  if (spec === null || typeof spec !== "object") return undefined;
  const { group, names, scope } = spec as Record<string, unknown>;
  const kind =
    names !== null && typeof names === "object" ? (names as Record<string, unknown>)["kind"] : undefined;
  if (typeof group !== "string" || typeof kind !== "string") return undefined;
  return { groupKind: groupKind(group, kind), clusterScoped: scope === "Cluster" };
}
