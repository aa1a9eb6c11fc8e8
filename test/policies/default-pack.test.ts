import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/config/policy-files.js";
import type { KubeObject } from "../../src/core/model.js";
import { change, changeSet, deployment } from "../core/policy/changes.js";

const policy = await loadPolicy();
const results = policy.testExamples();

describe("default pack examples (what `countersign policy test` runs)", () => {
  it("has examples for every rule, both ways", () => {
    // Every rule proves it fires and that a near-miss does not.
    for (const rule of policy.rules) {
      expect(rule.spec.examples.match.length, rule.spec.name).toBeGreaterThan(0);
      expect(rule.spec.examples.noMatch.length, rule.spec.name).toBeGreaterThan(0);
    }
  });

  it.each(results.map((r) => [`${r.rule} ${r.expect}[${r.index}]`, r] as const))("%s", (_name, result) => {
    // match examples fire without error; noMatch examples stay silent.
    expect(result.message).toBeUndefined();
    expect(result.passed).toBe(true);
  });
});

function level(before: KubeObject | undefined, after: KubeObject | undefined, file?: string) {
  const result = policy.classify(changeSet(change(before, after, file)));
  return { level: result.level, rules: result.changes[0]?.findings.map((f) => f.rule) ?? [] };
}

const ds = (pod: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "agent", namespace: "ops" },
  spec: {
    template: {
      spec: {
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "a", image: "ghcr.io/acme/agent:1.0" }],
        ...pod,
      },
    },
  },
});
const cm = (
  name: string,
  namespace: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  data,
});
const crb = (role: string): KubeObject => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name: "agent" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects: [{ kind: "ServiceAccount", name: "agent", namespace: "agents" }],
});
const withReplicas = (n: number): KubeObject => {
  const d = deployment("web");
  return { ...d, spec: { ...(d["spec"] as object), replicas: n } };
};
const withImage = (image: string): KubeObject => deployment("web", { containers: [{ name: "web", image }] });

describe("dangerous changes", () => {
  it.each([
    // A privileged DaemonSet is critical.
    [
      "privileged DaemonSet",
      undefined,
      ds({
        containers: [{ name: "a", image: "ghcr.io/acme/agent:1.0", securityContext: { privileged: true } }],
      }),
      "critical",
      "pod-privileged",
    ],
    // Mounting the Docker socket is node takeover: critical.
    [
      "docker.sock hostPath",
      undefined,
      ds({ volumes: [{ name: "s", hostPath: { path: "/var/run/docker.sock" } }] }),
      "critical",
      "pod-host-path-node-control",
    ],
    // Binding cluster-admin is critical.
    ["cluster-admin binding", undefined, crb("cluster-admin"), "critical", "rbac-cluster-admin-binding"],
    // aws-auth maps IAM to cluster admin: critical.
    [
      "aws-auth",
      cm("aws-auth", "kube-system", { mapRoles: "" }),
      cm("aws-auth", "kube-system", { mapRoles: "- rolearn: x" }),
      "critical",
      "aws-auth",
    ],
    // Wildcard RBAC is high.
    [
      "wildcard RBAC",
      undefined,
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "all" },
        rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
      },
      "high",
      "rbac-wildcard",
    ],
    // Scaling to zero is high.
    ["replicas to 0", withReplicas(3), withReplicas(0), "high", "replicas-to-zero"],
    // :latest is medium (it can change without review).
    [
      "latest tag",
      withImage("ghcr.io/acme/web:1.0"),
      withImage("ghcr.io/acme/web:latest"),
      "medium",
      "image-unpinned",
    ],
    // Deleting a namespace is critical.
    [
      "namespace delete",
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      undefined,
      "critical",
      "namespace-delete",
    ],
    // Anything in countersign's own namespace is critical.
    [
      "self namespace",
      undefined,
      cm("settings", "countersign-system", { a: "1" }),
      "critical",
      "self-namespace",
    ],
  ])("%s", (_name, before, after, expectedLevel, rule) => {
    const result = level(before as KubeObject | undefined, after as KubeObject | undefined);
    expect(result.level).toBe(expectedLevel);
    expect(result.rules).toContain(rule);
  });
});

describe("introducedOnly does not hide a widening", () => {
  const role = (rule: Record<string, string[]>): KubeObject => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "ops" },
    rules: [rule],
  });
  it("re-fires when the content at a pre-existing hit changes", () => {
    // rules[0] already had a wildcard group; widening it to all resources and verbs is a new risk.
    const before = role({ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] });
    const after = role({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] });
    expect(level(before, after).rules).toContain("rbac-wildcard");
  });

  it("stays quiet when only something else changed", () => {
    // The same wildcard rule with a new label on the role is not re-flagged.
    const before = role({ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] });
    const after = { ...before, metadata: { name: "ops", labels: { team: "ops" } } };
    expect(level(before, after)).toEqual({ level: "low", rules: ["metadata-only-change"] });
  });
});

describe("harmless changes stay low", () => {
  it.each([
    // ConfigMap data changes are everyday configuration.
    [
      "ConfigMap data",
      cm("web", "shop", { LOG_LEVEL: "info" }),
      cm("web", "shop", { LOG_LEVEL: "debug" }),
      "configmap-data-change",
    ],
    // Label-only change on a workload.
    [
      "labels only",
      deployment("web"),
      { ...deployment("web"), metadata: { name: "web", namespace: "shop", labels: { team: "a" } } },
      "metadata-only-change",
    ],
    // Label-only change on an already-privileged DaemonSet does not re-raise it.
    [
      "labels on privileged DaemonSet",
      ds({
        containers: [{ name: "a", image: "ghcr.io/acme/agent:1.0", securityContext: { privileged: true } }],
      }),
      {
        ...ds({
          containers: [{ name: "a", image: "ghcr.io/acme/agent:1.0", securityContext: { privileged: true } }],
        }),
        metadata: { name: "agent", namespace: "ops", labels: { x: "y" } },
      },
      "metadata-only-change",
    ],
    // An image tag bump in the same repository.
    [
      "image tag bump",
      withImage("ghcr.io/acme/web:1.0"),
      withImage("ghcr.io/acme/web:1.1"),
      "image-tag-bump",
    ],
  ])("%s", (_name, before, after, rule) => {
    const result = level(before, after);
    expect(result.level).toBe("low");
    expect(result.rules).toEqual([rule]);
  });

  it("does not call a new, well-configured Deployment risky", () => {
    // A fresh Deployment with runAsNonRoot and a pinned tag has no findings at all.
    expect(level(undefined, deployment("web"))).toEqual({ level: "low", rules: [] });
  });

  it("does not treat a ConfigMap elsewhere named aws-auth as critical", () => {
    // Only kube-system/aws-auth is the EKS identity map.
    expect(level(undefined, cm("aws-auth", "shop", { a: "1" })).level).toBe("low");
  });
});

describe("default pack shape", () => {
  it("uses the documented defaults and protects self-protection rules", () => {
    // Requirements low 1, medium 1, high 2, critical 2; self-protection cannot be disabled.
    expect(policy.baseLevel).toBe("low");
    expect(policy.requirements.critical.approvals).toBe(2);
    const protectedRules = policy.rules.filter((r) => r.spec.protected).map((r) => r.spec.name);
    expect(protectedRules).toEqual(
      expect.arrayContaining(["self-namespace", "self-rbac", "self-config", "aws-auth"]),
    );
  });
});
