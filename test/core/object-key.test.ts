import { describe, expect, it } from "vitest";
import {
  crdScope,
  isClusterScoped,
  objectKey,
  parseObjectKey,
  splitApiVersion,
} from "../../src/core/object-key.js";

describe("splitApiVersion", () => {
  it.each([
    // the core group is empty
    ["v1", { group: "", version: "v1" }],
    // named groups keep their dots
    ["apps/v1", { group: "apps", version: "v1" }],
    ["rbac.authorization.k8s.io/v1", { group: "rbac.authorization.k8s.io", version: "v1" }],
  ])("%s", (apiVersion, expected) => {
    expect(splitApiVersion(apiVersion)).toEqual(expected);
  });
});

describe("objectKey / parseObjectKey", () => {
  it.each([
    // namespaced, named group
    [{ group: "apps", kind: "Deployment", namespace: "web", name: "api" }, "apps/Deployment/web/api"],
    // core group and cluster scope are empty parts
    [{ group: "", kind: "Namespace", namespace: "", name: "web" }, "/Namespace//web"],
  ])("round-trips %s", (parts, key) => {
    expect(objectKey(parts)).toBe(key);
    expect(parseObjectKey(key)).toEqual(parts);
  });

  it.each([
    // too few parts
    ["apps/Deployment/api"],
    // too many parts
    ["a/b/c/d/e"],
    // empty kind
    ["apps//ns/name"],
    // empty name
    ["apps/Deployment/ns/"],
  ])("rejects %s", (key) => {
    expect(() => parseObjectKey(key)).toThrow(/group\/kind\/namespace\/name/);
  });
});

describe("isClusterScoped", () => {
  it.each([
    // built-in cluster-scoped kinds in the core and named groups
    ["", "Namespace", true],
    ["rbac.authorization.k8s.io", "ClusterRoleBinding", true],
    ["admissionregistration.k8s.io", "ValidatingWebhookConfiguration", true],
    // the group matters: a custom kind named Namespace is namespaced
    ["example.com", "Namespace", false],
    // everything else is namespaced
    ["apps", "Deployment", false],
  ])("%s/%s → %s", (group, kind, expected) => {
    expect(isClusterScoped(group, kind)).toBe(expected);
  });

  it("takes extra kinds", () => {
    expect(isClusterScoped("example.com", "Widget", new Set(["example.com/Widget"]))).toBe(true);
  });
});

describe("crdScope", () => {
  const crd = (scope: string) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope },
  });
  it.each([
    // Cluster scope is declared
    [crd("Cluster"), { groupKind: "example.com/Widget", clusterScoped: true }],
    // Namespaced scope is declared
    [crd("Namespaced"), { groupKind: "example.com/Widget", clusterScoped: false }],
    // not a CRD
    [{ apiVersion: "v1", kind: "ConfigMap" }, undefined],
    // a CRD without spec.names.kind declares nothing
    [{ ...crd("Cluster"), spec: { group: "example.com" } }, undefined],
  ])("case %#", (obj, expected) => {
    expect(crdScope(obj)).toEqual(expected);
  });
});
