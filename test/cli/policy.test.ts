import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPolicyExplain, runPolicyTest } from "../../src/cli/policy.js";
import { buildProgram } from "../../src/cli/program.js";

let dir: string;

const orgPolicy = `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata:
  name: org
spec:
  extends: default
  levels:
    critical: { approvals: 3, teams: [acme/platform] }
  overrides:
    - { rule: service-node-port, level: high }
  rules:
    - name: prod-floor
      level: medium
      reason: everything under clusters/prod is at least medium
      match: { paths: ["clusters/prod/**"] }
      examples:
        match:
          - object: { apiVersion: v1, kind: ConfigMap, metadata: { name: a, namespace: b } }
            file: clusters/prod/a.yaml
        noMatch:
          - object: { apiVersion: v1, kind: ConfigMap, metadata: { name: a, namespace: b } }
            file: clusters/dev/a.yaml
`;

const failingPolicy = `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata: { name: broken-examples }
spec:
  rules:
    - name: never
      level: high
      reason: never fires
      expression: "false"
      examples:
        match:
          - object: { apiVersion: v1, kind: ConfigMap, metadata: { name: a, namespace: b } }
`;

const unfilledPolicy = `apiVersion: countersign.dev/v1alpha1
kind: RiskPolicy
metadata: { name: unfilled }
spec:
  rules:
    - name: cm
      level: low
      reason: "{{name}} changed{{how}}"
      match: { kinds: [core/ConfigMap] }
      examples:
        match:
          - object: { apiVersion: v1, kind: ConfigMap, metadata: { name: a, namespace: b } }
        noMatch:
          - object: { apiVersion: v1, kind: Secret, metadata: { name: a, namespace: b } }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countersign-policy-cli-"));
  await writeFile(join(dir, "unfilled.yaml"), unfilledPolicy);
  await writeFile(join(dir, "org.yaml"), orgPolicy);
  await writeFile(join(dir, "failing.yaml"), failingPolicy);
  await writeFile(
    join(dir, "invalid.yaml"),
    "apiVersion: countersign.dev/v1alpha1\nkind: RiskPolicy\nmetadata: { name: x }\nspec:\n  rules:\n    - name: r\n      level: severe\n",
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("countersign policy test", () => {
  it("passes on the default pack", async () => {
    // Every shipped example passes: exit 0 and a summary line.
    const result = await runPolicyTest({});
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\n\d+ passed, 0 failed \(\d+ examples, \d+ rules\)\n$/);
  });

  it("runs an organisation policy on top of the default pack", async () => {
    // extends: default loads the pack first; the org's own examples run too.
    const result = await runPolicyTest({ path: join(dir, "org.yaml") });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("ok    prod-floor match[0]");
    expect(result.stdout).toContain("ok    pod-privileged match[0]");
  });

  it("fails with exit 1 when an example fails, naming it", async () => {
    // A match example that does not fire is reported as FAIL.
    const result = await runPolicyTest({ path: join(dir, "failing.yaml") });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      "FAIL  never match[0]: expected the rule to fire; it did not (failing.yaml)\n\n0 passed, 1 failed (1 examples, 1 rules)\n",
    );
  });

  it("fails an example whose reason keeps a placeholder no hit fills", async () => {
    // Reviewers would otherwise read a literal "{{how}}" in the report.
    const result = await runPolicyTest({ path: join(dir, "unfilled.yaml") });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("FAIL  cm match[0]: the reason leaves {{how}} unfilled");
  });

  it("fails with exit 1 on an invalid policy, naming file, rule and field", async () => {
    // Invalid policy: the issues go to stderr, nothing is evaluated.
    const result = await runPolicyTest({ path: join(dir, "invalid.yaml") });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'invalid.yaml: rule "r": field spec.rules[0].level: must be one of low, medium, high, critical',
    );
  });

  it("fails on a missing path", async () => {
    // A typo in the path is an error, not the default pack.
    const result = await runPolicyTest({ path: join(dir, "nope") });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/not found/);
  });
});

describe("countersign policy explain", () => {
  it("explains one rule as text (snapshot)", async () => {
    // What a human reads: requirements, then the rule with its match and expression.
    const result = await runPolicyExplain({ rule: "pod-privileged" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.replace(/digest: [0-9a-f]{64}/, "digest: <digest>")).toMatchSnapshot();
  });

  it("shows overrides and requirements of an organisation policy as JSON", async () => {
    // JSON output carries the overridden level and the merged requirement.
    const result = await runPolicyExplain({
      path: join(dir, "org.yaml"),
      output: "json",
      rule: "service-node-port",
    });
    const json = JSON.parse(result.stdout) as { requirements: { critical: unknown }; rules: unknown[] };
    expect(json.requirements.critical).toEqual({
      approvals: 3,
      teams: ["acme/platform"],
      users: [],
      auto: false,
    });
    expect(json.rules).toEqual([
      expect.objectContaining({ name: "service-node-port", level: "high", originalLevel: "medium" }),
    ]);
  });

  it("fails on an unknown rule", async () => {
    // --rule with a typo is an error.
    const result = await runPolicyExplain({ rule: "no-such-rule" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no rule named "no-such-rule"');
  });

  it("registers explain and test with help text", () => {
    // The commander wiring exposes both subcommands and rejects a bad --output.
    const program = buildProgram();
    const policy = program.commands.find((c) => c.name() === "policy");
    expect(policy?.commands.map((c) => c.name())).toEqual(["explain", "test"]);
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    for (const c of policy?.commands ?? []) c.exitOverride();
    policy?.exitOverride();
    expect(() => program.parse(["node", "countersign", "policy", "explain", "--output", "xml"])).toThrow(
      CommanderError,
    );
  });
});
