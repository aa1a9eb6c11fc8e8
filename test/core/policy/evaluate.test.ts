import { describe, expect, it } from "vitest";
import { errorText } from "../../../src/core/policy/evaluate.js";
import { compilePolicy } from "../../../src/core/policy/index.js";
import type { PolicySource } from "../../../src/core/policy/index.js";
import { change, changeSet, deployment, policyYaml } from "./changes.js";

const RULES = `    - name: privileged
      level: critical
      reason: container {{container}} runs privileged
      match: { kinds: [apps/Deployment], operations: [create, update] }
      expression: |
        containers(object).filter(c, c.spec.?securityContext.?privileged.orValue(false) == true)
          .map(c, {"path": c.path + ".securityContext.privileged", "container": c.name})
    - name: replicas-field
      level: medium
      reason: replicas read directly
      match: { kinds: [Deployment] }
      expression: object.spec.replicas > 5
      path: spec.replicas
    - name: annotation-strict
      level: high
      reason: annotation read without has()
      match: { kinds: [ConfigMap] }
      expression: object.metadata.annotations["x"] == "y"
    - name: annotation-lenient
      level: high
      onError: ignore
      reason: annotation read without has(), errors ignored
      match: { kinds: [Secret] }
      expression: object.metadata.annotations["x"] == "y"
    - name: prod-floor
      level: medium
      reason: everything under clusters/prod is at least medium
      match: { paths: ["clusters/prod/**"] }
    - name: kube-system
      level: high
      reason: "{{kind}} {{name}} in kube-system"
      match: { namespaces: ["kube-*"], excludeNamespaces: [kube-public] }`;

const org: PolicySource = { file: "org.yaml", content: policyYaml(RULES) };
const policy = compilePolicy([org]);
const cm = (ns = "shop", extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: ns, ...extra },
  data: { a: "1" },
});

describe("classify", () => {
  it.each([
    // No rule matches: the base level (low), no findings.
    ["plain deployment", change(undefined, deployment("web")), "low", []],
    // A list-returning expression gives one finding per hit, with the container's field path.
    [
      "privileged",
      change(
        undefined,
        deployment("web", {
          containers: [{ name: "web", image: "x:1", securityContext: { privileged: true } }],
        }),
      ),
      "critical",
      ["privileged@spec.template.spec.containers[name=web].securityContext.privileged"],
    ],
    // Highest level wins when several rules match.
    [
      "privileged and many replicas",
      change(undefined, {
        ...deployment("web", {
          containers: [{ name: "web", image: "x:1", securityContext: { privileged: true } }],
        }),
        spec: {
          replicas: 9,
          template: {
            spec: { containers: [{ name: "web", image: "x:1", securityContext: { privileged: true } }] },
          },
        },
      }),
      "critical",
      [
        "privileged@spec.template.spec.containers[name=web].securityContext.privileged",
        "replicas-field@spec.replicas",
      ],
    ],
    // A missing field makes the expression throw: fail closed, matched with an error.
    ["CEL error fail-closed", change(undefined, cm()), "high", ["annotation-strict@"]],
    // onError: ignore treats the error as no match (the level is not raised, nothing reported).
    [
      "CEL error ignored",
      change(undefined, { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "a" } }),
      "low",
      [],
    ],
    // Path scoping: any object under clusters/prod/** is at least medium.
    [
      "prod path",
      change(undefined, cm(), "clusters/prod/app.yaml"),
      "high",
      ["annotation-strict@", "prod-floor@"],
    ],
    // Namespace globs match, excludeNamespaces wins over them.
    [
      "kube-system namespace",
      change(undefined, { ...cm("kube-system"), kind: "Role", apiVersion: "rbac.authorization.k8s.io/v1" }),
      "high",
      ["kube-system@"],
    ],
    // An excluded namespace does not match.
    [
      "kube-public excluded",
      change(undefined, { ...cm("kube-public"), kind: "Role", apiVersion: "rbac.authorization.k8s.io/v1" }),
      "low",
      [],
    ],
    // kinds: group/Kind only matches that group.
    ["group mismatch", change(undefined, { ...deployment("web"), apiVersion: "example.com/v1" }), "low", []],
  ])("%s", (_name, c, level, findings) => {
    const result = policy.classify(changeSet(c));
    expect(result.level).toBe(level);
    expect(result.changes[0]?.findings.map((f) => `${f.rule}@${f.path ?? ""}`)).toEqual(findings);
  });

  it("marks fail-closed findings with the error and interpolates the reason", () => {
    // The error finding keeps the rule's level and says it could not be evaluated.
    const [finding] = policy.classify(changeSet(change(undefined, cm()))).changes[0]?.findings ?? [];
    expect(finding).toMatchObject({ rule: "annotation-strict", level: "high" });
    expect(finding?.error).toMatch(/annotations/);
    expect(finding?.reason).toMatch(/could not be evaluated/);
  });

  it("interpolates hit values into reasons", () => {
    // {{container}} comes from the hit map returned by the expression.
    const c = change(
      undefined,
      deployment("web", {
        containers: [{ name: "sidecar", image: "x:1", securityContext: { privileged: true } }],
      }),
    );
    expect(policy.classify(changeSet(c)).changes[0]?.findings[0]?.reason).toBe(
      "container sidecar runs privileged",
    );
  });

  it.each([
    // a namespaced object reads namespace/name
    [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "shop" } },
      "ConfigMap shop/cfg",
    ],
    // a cluster-scoped object reads its name alone, not "/name"
    [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, "Namespace shop"],
  ])("interpolates {{ref}} for %j", (object, expected) => {
    const refPolicy = compilePolicy([
      {
        file: "ref.yaml",
        content: policyYaml('    - name: any\n      level: low\n      reason: "{{kind}} {{ref}}"\n'),
      },
    ]);
    const c = change(undefined, object);
    expect(refPolicy.classify(changeSet(c)).changes[0]?.findings[0]?.reason).toBe(expected);
  });

  it("takes the highest change level for the change set, with its requirement and the digest", () => {
    // One critical change among low ones makes the PR critical, requiring 2 approvals.
    const result = policy.classify(
      changeSet(
        change(undefined, deployment("a")),
        change(
          undefined,
          deployment("b", {
            containers: [{ name: "w", image: "x:1", securityContext: { privileged: true } }],
          }),
        ),
      ),
    );
    expect(result.changes.map((c) => c.level)).toEqual(["low", "critical"]);
    expect(result.level).toBe("critical");
    expect(result.requirement).toEqual({ approvals: 2, teams: [], users: [], auto: false });
    expect(result.policyDigest).toBe(policy.digest);
  });

  it("gives the base level to an empty change set, and honours a configured base level", () => {
    // With no changes the PR is at the base level; baseLevel: medium raises every unmatched change.
    expect(policy.classify(changeSet()).level).toBe("low");
    const raised = compilePolicy([{ file: "o.yaml", content: policyYaml(RULES, "  baseLevel: medium") }]);
    expect(raised.baseLevel).toBe("medium");
    expect(raised.classify(changeSet(change(undefined, deployment("web")))).level).toBe("medium");
  });

  it("evaluates deletions with object = null and oldObject set", () => {
    // A delete gives the rule oldObject; object.spec access throws and fails closed.
    const result = policy.classify(changeSet(change(deployment("web"), undefined)));
    expect(result.changes[0]?.findings).toEqual([
      expect.objectContaining({ rule: "replicas-field", error: expect.any(String) }),
    ]);
  });

  it("never throws on hostile object content", () => {
    // Odd shapes (containers not a list, names not strings) produce no crash.
    const weird = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "w", namespace: "x" },
      spec: { template: { spec: { containers: "nope" } } },
    };
    const weird2 = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "w", namespace: "x" },
      spec: { template: { spec: { containers: [null, 3, { name: 5 }] } } },
    };
    expect(() =>
      policy.classify(changeSet(change(undefined, weird), change(undefined, weird2))),
    ).not.toThrow();
  });

  it("drops pre-existing hits on update with introducedOnly", () => {
    // A label change on an already-privileged workload is not flagged again; a newly privileged container is.
    const rules = RULES.replace(
      "      match: { kinds: [apps/Deployment], operations: [create, update] }",
      "      match: { kinds: [apps/Deployment], operations: [create, update] }\n      introducedOnly: true",
    );
    const p = compilePolicy([{ file: "o.yaml", content: policyYaml(rules) }]);
    const priv = [{ name: "web", image: "x:1", securityContext: { privileged: true } }];
    const before = deployment("web", { containers: priv });
    const relabelled = { ...before, metadata: { name: "web", namespace: "shop", labels: { a: "b" } } };
    expect(p.classify(changeSet(change(before, relabelled))).level).toBe("low");
    const added = deployment("web", {
      containers: [...priv, { name: "debug", image: "x:1", securityContext: { privileged: true } }],
    });
    const findings = p.classify(changeSet(change(before, added))).changes[0]?.findings ?? [];
    expect(findings.map((f) => f.path)).toEqual([
      "spec.template.spec.containers[name=debug].securityContext.privileged",
    ]);
  });

  it("rejects a non-bool, non-list expression result as an error (fail closed)", () => {
    // A rule returning a string is a policy bug: the change is still flagged, with an error.
    const p = compilePolicy([
      {
        file: "o.yaml",
        content: policyYaml(`    - name: s\n      level: high\n      reason: r\n      expression: '"text"'`),
      },
    ]);
    expect(p.classify(changeSet(change(undefined, cm()))).changes[0]?.findings[0]?.error).toMatch(
      /bool or a list/,
    );
  });

  it("caps hits per rule", () => {
    // 50 privileged containers yield at most 20 findings for one rule.
    const many = Array.from({ length: 50 }, (_, i) => ({
      name: `c${i}`,
      image: "x:1",
      securityContext: { privileged: true },
    }));
    expect(
      policy.classify(changeSet(change(undefined, deployment("w", { containers: many })))).changes[0]
        ?.findings,
    ).toHaveLength(20);
  });
});

describe("expression error text", () => {
  it.each([
    // A missing key names the key: useful to the policy author.
    [new Error("No such key: annotations"), "ConfigMap", "No such key: annotations"],
    // Types are kept.
    [new Error("no such overload: dyn<string> + int"), "Pod", "no such overload: dyn<string> + int"],
    // A detail that is not identifier-like may be object content: dropped.
    [new Error("Invalid regular expression: hunter2("), "Pod", "Invalid regular expression: …"],
    // Nothing after ": " is kept for a Secret.
    [new Error("No such key: hunter2"), "Secret", "No such key: …"],
    // Only the first line, bounded.
    [new Error(`boom\n${"x".repeat(10)}`), "Pod", "boom"],
  ])("%s on %s", (error, kind, expected) => {
    expect(errorText(error, kind)).toBe(expected);
  });
});

describe("path scoping of moved objects", () => {
  // A Service: no rule of RULES but the path-scoped ones applies to it.
  const svc = (port: number) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s", namespace: "shop" },
    spec: { ports: [{ port }] },
  });
  const moved = (from: string, to: string) => {
    const c = change(svc(80), svc(81), to);
    if (c.before) c.before = { ...c.before, source: { file: from, line: 1 } };
    return c;
  };
  it.each([
    // Moving a prod manifest out of clusters/prod/ keeps the prod floor for that change.
    ["out of prod", moved("clusters/prod/c.yaml", "clusters/dev/c.yaml"), "medium"],
    // Moving one into prod gets it too.
    ["into prod", moved("clusters/dev/c.yaml", "clusters/prod/c.yaml"), "medium"],
    // Neither file under prod: the base level.
    ["within dev", moved("clusters/dev/a.yaml", "clusters/dev/c.yaml"), "low"],
  ])("%s", (_name, c, expected) => {
    expect(policy.classify(changeSet(c)).level).toBe(expected);
  });

  it("excludes a moved object only when both files are excluded", () => {
    // excludePaths on the new file alone must not hide a change that left the scoped tree.
    const p = compilePolicy([
      {
        file: "o.yaml",
        content: policyYaml(`    - name: prod-not-tests
      level: high
      reason: prod
      match: { paths: ["clusters/**"], excludePaths: ["**/tests/**"] }`),
      },
    ]);
    expect(p.classify(changeSet(moved("clusters/prod/c.yaml", "clusters/prod/tests/c.yaml"))).level).toBe(
      "high",
    );
    expect(p.classify(changeSet(moved("clusters/tests/c.yaml", "clusters/prod/tests/c.yaml"))).level).toBe(
      "low",
    );
  });
});
