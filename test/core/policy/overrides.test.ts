import { describe, expect, it } from "vitest";
import { compilePolicy, explainPolicy } from "../../../src/core/policy/index.js";
import type { PolicySource, PolicyError } from "../../../src/core/policy/index.js";
import { change, changeSet, policyYaml } from "./changes.js";

const pack: PolicySource = {
  file: "default/base.yaml",
  content: `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata:
  name: base
  labels: { countersign.dev/pack: default }
spec:
  rules:
    - name: service-node-port
      level: medium
      reason: NodePort
      match: { kinds: [core/Service] }
      expression: object.?spec.?type.orValue("") == "NodePort"
    - name: self-namespace
      level: critical
      protected: true
      reason: own namespace
      expression: resource.?metadata.?namespace.orValue("") == countersignNamespace
`,
};

function org(spec: string, rules = ""): PolicySource {
  return {
    file: "org.yaml",
    content: policyYaml(rules || "    []", `  extends: default\n${spec}`).replace(
      "  rules:\n    []",
      "  rules: []",
    ),
  };
}

const nodePort = change(undefined, {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "s", namespace: "shop" },
  spec: { type: "NodePort" },
});

function issues(sources: PolicySource[]): string[] {
  try {
    compilePolicy(sources);
    return [];
  } catch (error) {
    return (error as PolicyError).issues.map((i) => i.message);
  }
}

describe("overrides", () => {
  it.each([
    // Raising a default rule's level.
    ["raise", "  overrides:\n    - { rule: service-node-port, level: critical }", "critical"],
    // Lowering a default rule's level is allowed for unprotected rules.
    ["lower", "  overrides:\n    - { rule: service-node-port, level: low }", "low"],
    // Disabling with a justification removes the rule from evaluation.
    [
      "disable",
      "  overrides:\n    - { rule: service-node-port, disabled: true, justification: NodePorts are firewalled }",
      "low",
    ],
  ])("%s", (_name, spec, level) => {
    const policy = compilePolicy([pack, org(spec)]);
    expect(policy.classify(changeSet(nodePort)).level).toBe(level);
  });

  it("adds organisation rules next to the defaults", () => {
    // The org's rule and the default rule both fire; the highest wins.
    const rules = `    - name: shop-services
      level: high
      reason: shop services
      match: { kinds: [Service], namespaces: [shop] }`;
    const policy = compilePolicy([pack, org("", rules)]);
    const findings = policy.classify(changeSet(nodePort)).changes[0]?.findings.map((f) => f.rule);
    expect(findings).toEqual(["service-node-port", "shop-services"]);
  });

  it.each([
    // Protected rules cannot be disabled, even with a justification.
    [
      "disable protected",
      "  overrides:\n    - { rule: self-namespace, disabled: true, justification: trust me }",
      /cannot be disabled/,
    ],
    // Protected rules cannot be lowered.
    ["lower protected", "  overrides:\n    - { rule: self-namespace, level: high }", /cannot be lowered/],
    // A duplicate name is refused: changing a default rule goes through overrides.
    ["redefine default rule", "", /duplicate rule name/],
  ])("refuses: %s", (name, spec, message) => {
    const rules =
      name === "redefine default rule"
        ? "    - name: service-node-port\n      level: low\n      reason: mine"
        : "";
    expect(issues([pack, org(spec, rules)]).join("\n")).toMatch(message);
  });

  it("lets protected rules be raised and explain shows the original level", () => {
    // Raising is always allowed; explain records who changed what.
    const policy = compilePolicy([pack, org("  overrides:\n    - { rule: service-node-port, level: high }")]);
    const rule = explainPolicy(policy, "service-node-port").rules[0];
    expect(rule).toMatchObject({ level: "high", originalLevel: "medium", overriddenBy: ["org.yaml"] });
  });

  it("uses the countersign namespace from the policy, overridden by the caller", () => {
    // Self-protection follows a renamed namespace; the option wins over the file.
    const inOps = change(undefined, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "ops-gate" },
    });
    const fromFile = compilePolicy([pack, org("  countersignNamespace: ops-gate")]);
    expect(fromFile.classify(changeSet(inOps)).level).toBe("critical");
    const fromOption = compilePolicy([pack, org("  countersignNamespace: ops-gate")], {
      countersignNamespace: "other",
    });
    expect(fromOption.classify(changeSet(inOps)).level).toBe("low");
  });
});

describe("requirements", () => {
  it("defaults to low 1, medium 1, high 2, critical 2", () => {
    // The documented defaults when no level is configured.
    const policy = compilePolicy([pack]);
    expect(Object.fromEntries(Object.entries(policy.requirements).map(([k, v]) => [k, v.approvals]))).toEqual(
      { low: 1, medium: 1, high: 2, critical: 2 },
    );
  });

  it("merges level settings in source order, with auto levels at zero approvals", () => {
    // The org makes low auto-approved and critical need 3 approvals from a team.
    const spec =
      "  levels:\n    low: { auto: true }\n    critical: { approvals: 3, teams: [acme/platform], users: [alice] }";
    const policy = compilePolicy([pack, org(spec)]);
    expect(policy.requirements.low).toEqual({ approvals: 0, teams: [], users: [], auto: true });
    expect(policy.requirements.critical).toEqual({
      approvals: 3,
      teams: ["acme/platform"],
      users: ["alice"],
      auto: false,
    });
    const lowChange = change(undefined, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "shop" },
    });
    expect(policy.classify(changeSet(lowChange)).requirement.auto).toBe(true);
  });

  it("refuses auto with approvals", () => {
    // auto means no approval; asking for both is contradictory.
    expect(issues([pack, org("  levels:\n    low: { auto: true, approvals: 1 }")]).join()).toMatch(
      /auto level needs no approvals/,
    );
  });
});

describe("digest", () => {
  it("is stable across source order of YAML keys, comments and examples, and changes with semantics", () => {
    // Formatting and examples do not change the digest; a level change does.
    const a = compilePolicy([pack]).digest;
    const reformatted = {
      ...pack,
      content: `# comment\n${pack.content.replace("level: medium\n      reason: NodePort", "reason: NodePort\n      level: medium")}`,
    };
    expect(compilePolicy([reformatted]).digest).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    const raised = compilePolicy([
      pack,
      org("  overrides:\n    - { rule: service-node-port, level: high }"),
    ]).digest;
    expect(raised).not.toBe(a);
  });
});
