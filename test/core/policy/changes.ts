import type { Change, ChangeSet, KubeObject, ManifestObject, Operation } from "../../../src/core/model.js";

/** A ManifestObject from a plain object: key from apiVersion/kind/namespace/name, a fixed digest. */
export function manifest(object: KubeObject, file = "clusters/dev/app.yaml"): ManifestObject {
  const apiVersion = String(object["apiVersion"]);
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const metadata = (object["metadata"] ?? {}) as { name?: string; namespace?: string };
  const kind = String(object["kind"]);
  const namespace = metadata.namespace ?? "";
  const name = metadata.name ?? "";
  return {
    key: `${group}/${kind}/${namespace}/${name}`,
    group: group ?? "",
    version: version ?? "",
    apiVersion,
    kind,
    namespace,
    name,
    object,
    digest: "0".repeat(64),
    source: { file, line: 1 },
  };
}

/** A change between two plain objects (either may be absent); `fields` left empty on purpose. */
export function change(before: KubeObject | undefined, after: KubeObject | undefined, file?: string): Change {
  const a = after ? manifest(after, file) : undefined;
  const b = before ? manifest(before, file) : undefined;
  const id = (a ?? b) as ManifestObject;
  const op: Operation = a && b ? "update" : a ? "create" : "delete";
  const c: Change = {
    key: id.key,
    op,
    group: id.group,
    kind: id.kind,
    namespace: id.namespace,
    name: id.name,
    fields: [],
    deltas: [],
  };
  if (a) c.after = a;
  if (b) c.before = b;
  return c;
}

export function changeSet(...changes: Change[]): ChangeSet {
  return { changes, unchanged: 0, digest: "f".repeat(64) };
}

/** A Deployment with one container `web`; `pod` is merged into the pod spec. */
export function deployment(name: string, pod: Record<string, unknown> = {}, namespace = "shop"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      template: {
        spec: {
          securityContext: { runAsNonRoot: true },
          containers: [{ name: "web", image: "ghcr.io/acme/web:1.0" }],
          ...pod,
        },
      },
    },
  };
}

/** A minimal policy document with the given rules (YAML text) and optional extra spec (YAML text). */
export function policyYaml(rules: string, spec = ""): string {
  return `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata:
  name: test
spec:
${spec}
  rules:
${rules}
`;
}
