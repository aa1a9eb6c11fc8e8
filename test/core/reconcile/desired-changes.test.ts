import { describe, expect, it } from "vitest";
import { buildManifestSet } from "../../../src/core/manifest-set.js";
import { desiredChanges } from "../../../src/core/reconcile/desired-changes.js";
import { selfProtectedReason } from "../../../src/core/reconcile/self-protection.js";

const cm = (name: string, v: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: apps}\ndata: {v: "${v}"}\n`;

describe("desiredChanges", () => {
  it("lists creates, updates and deletes against the inventory, and skips what is applied", () => {
    const set = buildManifestSet([
      { path: "a.yaml", content: [cm("a", "1"), cm("b", "2"), cm("c", "1")].join("---\n") },
    ]);
    const digestOf = (k: string): string => set.objects.get(k)?.digest ?? "";
    const changes = desiredChanges(
      {
        "/ConfigMap/apps/a": { apiVersion: "v1", digest: digestOf("/ConfigMap/apps/a") },
        "/ConfigMap/apps/b": { apiVersion: "v1", digest: "old" },
        "/ConfigMap/apps/gone": { apiVersion: "v1", digest: "old" },
      },
      set,
    );
    expect(changes.map((c) => [c.key, c.op])).toEqual([
      ["/ConfigMap/apps/b", "update"],
      ["/ConfigMap/apps/c", "create"],
      ["/ConfigMap/apps/gone", "delete"],
    ]);
    expect(changes[2]?.digest).toBe("");
  });
});

describe("selfProtectedReason", () => {
  const scope = { ownNamespace: "countersign-system", namespaces: [], kinds: [] };
  it.each([
    ["/Namespace//countersign-system", "own namespace"],
    ["coordination.k8s.io/Lease/countersign-system/countersign-reconciler", "own namespace"],
    ["rbac.authorization.k8s.io/ClusterRole//countersign-reconciler", "cluster roles"],
    ["/ConfigMap/apps/a", undefined],
  ])("%s", (key, expected) => {
    const reason = selfProtectedReason({ key, op: "update", apiVersion: "v1", digest: "" }, scope);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toContain(expected);
  });

  it("protects a binding that grants to its service account", () => {
    const set = buildManifestSet([
      {
        path: "b.yaml",
        content:
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: x}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: countersign, namespace: countersign-system}]\n",
      },
    ]);
    const object = [...set.objects.values()][0];
    expect(object).toBeDefined();
    const reason = selfProtectedReason(
      {
        key: object!.key,
        op: "create",
        apiVersion: object!.apiVersion,
        digest: object!.digest,
        object: object!,
      },
      scope,
    );
    expect(reason).toContain("grants permissions");
  });
});
