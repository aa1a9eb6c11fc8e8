/**
 * Self-protection: objects that run or bind the reconciler itself (its namespace and everything in
 * it, its Lease and inventory, RBAC granting to its service accounts) change only with an approval
 * at critical level; objects outside `manage.namespaces` / `manage.kinds` never change.
 */
import { parseObjectKey } from "../object-key.js";
import type { DesiredChange } from "./desired-changes.js";

export interface ManageScope {
  /** The reconciler's own namespace. */
  ownNamespace: string;
  /** Namespaces it may write to; empty = any except its own (which needs critical). */
  namespaces: readonly string[];
  /** `group/Kind` it may manage ("/ConfigMap", "apps/Deployment"); empty = any. */
  kinds: readonly string[];
}

const RBAC_GROUP = "rbac.authorization.k8s.io";

function subjectsNamespace(object: Record<string, unknown> | undefined, namespace: string): boolean {
  const subjects = object?.["subjects"];
  if (!Array.isArray(subjects)) return false;
  return subjects.some(
    (s) =>
      typeof s === "object" &&
      s !== null &&
      (s as Record<string, unknown>)["kind"] === "ServiceAccount" &&
      (s as Record<string, unknown>)["namespace"] === namespace,
  );
}

/** Why `change` touches the reconciler itself, or undefined. Needs the object in D (and the inventory's key for deletions). */
export function selfProtectedReason(change: DesiredChange, scope: ManageScope): string | undefined {
  const { group, kind, namespace, name } = parseObjectKey(change.key);
  const own = scope.ownNamespace;
  if (group === "" && kind === "Namespace" && name === own) return `it is countersign's own namespace ${own}`;
  if (namespace === own) return `it lives in countersign's own namespace ${own}`;
  if (group === RBAC_GROUP && (kind === "ClusterRoleBinding" || kind === "RoleBinding")) {
    if (subjectsNamespace(change.object?.object, own))
      return `it grants permissions to a service account of countersign's namespace ${own}`;
  }
  if (group === RBAC_GROUP && kind === "ClusterRole" && /^countersign(-|$)/.test(name))
    return "it is one of countersign's own cluster roles";
  if (group === "admissionregistration.k8s.io" && /^countersign(-|$)/.test(name))
    return "it is one of countersign's own admission configurations";
  return undefined;
}

/** Why `change` lies outside what this reconciler may manage, or undefined. */
export function outsideScopeReason(change: DesiredChange, scope: ManageScope): string | undefined {
  const { group, kind, namespace } = parseObjectKey(change.key);
  if (scope.kinds.length > 0 && !scope.kinds.includes(`${group}/${kind}`))
    return `kind ${group}/${kind} is not in manage.kinds`;
  if (namespace !== "" && scope.namespaces.length > 0 && !scope.namespaces.includes(namespace))
    return `namespace ${namespace} is not in manage.namespaces`;
  return undefined;
}
