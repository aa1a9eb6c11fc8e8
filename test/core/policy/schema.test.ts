import { describe, expect, it } from "vitest";
import { PolicyError, compilePolicy } from "../../../src/core/policy/index.js";
import type { PolicyIssue } from "../../../src/core/policy/index.js";
import { policyYaml } from "./changes.js";
import { growth } from "../work-count.js";

function issuesOf(content: string): PolicyIssue[] {
  try {
    compilePolicy([{ file: "org.yaml", content }]);
  } catch (error) {
    if (error instanceof PolicyError) return error.issues;
    throw error;
  }
  return [];
}

const ok = `    - name: ok
      level: low
      reason: fine`;

describe("policy validation", () => {
  it.each([
    // A missing level is named with the rule and the field.
    [
      "missing level",
      policyYaml(`    - name: r1\n      reason: x`),
      { rule: "r1", field: "spec.rules[0].level" },
    ],
    // A level outside low..critical is rejected.
    [
      "bad level",
      policyYaml(`    - name: r1\n      level: severe\n      reason: x`),
      { rule: "r1", field: "spec.rules[0].level" },
    ],
    // A typo in a field name is an error, not silently ignored.
    [
      "unknown field",
      policyYaml(`    - name: r1\n      level: low\n      reason: x\n      expresion: "true"`),
      { rule: "r1", field: "spec.rules[0].expresion" },
    ],
    // The reason is mandatory: reviewers must be told why.
    [
      "missing reason",
      policyYaml(`    - name: r1\n      level: low`),
      { rule: "r1", field: "spec.rules[0].reason" },
    ],
    // Rule names are DNS-label-like.
    [
      "bad name",
      policyYaml(`    - name: Bad Name\n      level: low\n      reason: x`),
      { field: "spec.rules[0].name" },
    ],
    // A CEL syntax error is reported at compile time, naming the rule.
    [
      "CEL syntax",
      policyYaml(`    - name: r1\n      level: low\n      reason: x\n      expression: "object.spec +"`),
      { rule: "r1", field: "expression" },
    ],
    // An unknown variable is caught by the type check, not at evaluation.
    [
      "CEL unknown variable",
      policyYaml(`    - name: r1\n      level: low\n      reason: x\n      expression: "request.user == 1"`),
      { rule: "r1", field: "expression" },
    ],
    // Unknown operations are rejected.
    [
      "bad operation",
      policyYaml(`    - name: r1\n      level: low\n      reason: x\n      match: { operations: [patch] }`),
      { rule: "r1", field: "spec.rules[0].match.operations" },
    ],
    // onError only knows match and ignore.
    [
      "bad onError",
      policyYaml(`    - name: r1\n      level: low\n      reason: x\n      onError: skip`),
      { rule: "r1", field: "spec.rules[0].onError" },
    ],
    // Two rules with one name cannot both exist.
    ["duplicate rule", policyYaml(`${ok}\n${ok}`), { rule: "ok", field: "name" }],
    // Overriding a rule that does not exist is an error (a typo must not do nothing).
    [
      "override unknown rule",
      policyYaml(ok, "  overrides:\n    - { rule: nope, level: high }"),
      { rule: "nope", field: "spec.overrides[0].rule" },
    ],
    // Disabling needs a justification.
    [
      "disable without justification",
      policyYaml(ok, "  overrides:\n    - { rule: ok, disabled: true }"),
      { rule: "ok", field: "spec.overrides[0].justification" },
    ],
    // approvals must be a small non-negative integer.
    [
      "bad approvals",
      policyYaml(ok, "  levels:\n    high: { approvals: -1 }"),
      { field: "spec.levels.high.approvals" },
    ],
    // A higher level needing fewer approvals than a lower one is a weaker policy: refused.
    [
      "non-monotonic approvals",
      policyYaml(ok, "  levels:\n    critical: { approvals: 1 }"),
      { field: "spec.levels.critical.approvals" },
    ],
    // Zero approvals without auto: true is ambiguous: refused.
    [
      "zero approvals without auto",
      policyYaml(ok, "  levels:\n    low: { approvals: 0 }"),
      { field: "spec.levels.low" },
    ],
    // Only the shipped pack can be extended.
    ["bad extends", policyYaml(ok, "  extends: corporate"), { field: "spec.extends" }],
    // extends: default without the default pack among the sources fails closed.
    ["extends without pack", policyYaml(ok, "  extends: default"), { field: "spec.extends" }],
    // Wrong apiVersion is named.
    ["apiVersion", policyYaml(ok).replace("countersign.dev/v1alpha1", "v1"), { field: "apiVersion" }],
    // An example must be a Kubernetes object.
    [
      "bad example",
      policyYaml(`${ok}\n      examples: { match: [{ object: { foo: 1 } }] }`),
      { rule: "ok", field: "spec.rules[0].examples.match[0].object" },
    ],
  ])("%s", (_name, content, expected) => {
    const issues = issuesOf(content);
    expect(issues).toContainEqual(expect.objectContaining({ file: "org.yaml", ...expected }));
  });

  it("reports YAML syntax errors with a line", () => {
    // Broken YAML names the file and the line instead of crashing.
    const issues = issuesOf("spec: [unclosed\n");
    expect(issues[0]?.file).toBe("org.yaml");
    expect(issues[0]?.message).toMatch(/YAML error: .*line \d+/);
  });

  it("reports a duplicate key with its line, on a huge map too", () => {
    // A repeated key must not silently pick one value; yaml's own check took minutes on 100,000 keys.
    expect(issuesOf("spec:\n  baseLevel: low\n  baseLevel: critical\n")[0]?.message).toBe(
      "YAML error: map keys must be unique at line 3, column 3",
    );
    const huge = `spec:\n${Array.from({ length: 100_000 }, (_, i) => `  k${i}: 1`).join("\n")}\n  k7: 2\n`;
    expect(issuesOf(huge)[0]?.message).toMatch(/map keys must be unique at line 100002/);
  });

  it("checks duplicate keys with work linear in the number of keys", () => {
    // yaml's own check is quadratic (minutes on 100,000 keys): counted work, not time.
    const map = (n: number) => () =>
      issuesOf(`spec:\n${Array.from({ length: n }, (_, i) => `  k${i}: 1`).join("\n")}\n`);
    expect(growth(map, 2000)).toBeLessThan(2.5);
  });

  it("lists every issue in the error message", () => {
    // The thrown error carries all issues at once, so one run shows everything to fix.
    expect(() =>
      compilePolicy([{ file: "org.yaml", content: policyYaml(`    - name: a\n    - name: b`) }]),
    ).toThrow(/org.yaml: rule "a".*\n.*/);
  });

  it("refuses no sources at all", () => {
    // An empty source list is not "no rules": it fails closed.
    expect(() => compilePolicy([])).toThrow(PolicyError);
  });

  it("survives hostile YAML (alias bomb) with an error", () => {
    // A billion-laughs document is rejected, not expanded.
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`;
    expect(issuesOf(bomb).length).toBeGreaterThan(0);
  });
});
