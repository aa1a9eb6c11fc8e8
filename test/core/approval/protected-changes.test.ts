import { describe, expect, it } from "vitest";
import {
  escalateForProtectedFiles,
  PROTECTED_FILE_RULE,
} from "../../../src/core/approval/protected-changes.js";
import type { Requirement } from "../../../src/core/model.js";
import { parseRepoConfig } from "../../../src/core/repo-config.js";
import { hex, planOf } from "./plan-fixture.js";

const config = parseRepoConfig(
  "version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\npolicy: policy/\n",
);
const defaultPolicy = parseRepoConfig("version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\n");
const critical: Requirement = { approvals: 2, teams: ["org/security"], users: [], auto: false };
const plan = planOf([["apps/Deployment/prod/web", "update", hex("a"), "low"]], "low");

describe("escalateForProtectedFiles", () => {
  it.each([
    // Proves a change to the repository configuration makes the PR critical.
    ["config file", config, [".github/countersign.yml"], [".github/countersign.yml"]],
    // Proves a change inside the repository policy directory makes the PR critical.
    ["policy file", config, ["clusters/prod/a.yaml", "policy/rules.yaml"], ["policy/rules.yaml"]],
    // Proves both are reported, sorted, each once.
    [
      "both, repeated",
      config,
      ["policy/a.yaml", ".github/countersign.yml", "policy/a.yaml"],
      [".github/countersign.yml", "policy/a.yaml"],
    ],
    // Proves with the default policy pack only the config file is protected.
    ["default pack: config file", defaultPolicy, [".github/countersign.yml"], [".github/countersign.yml"]],
    // Proves ordinary managed files do not escalate.
    ["managed files only", config, ["clusters/prod/a.yaml"], []],
    // Proves a similarly named file does not escalate.
    ["look-alike", config, ["policy-notes.md", ".github/countersign.yml.bak"], []],
  ])("%s", (_name, cfg, files, expected) => {
    const result = escalateForProtectedFiles(plan, files, cfg, critical);
    const findings = result.classification.pullRequestFindings ?? [];
    expect(findings.map((f) => f.path)).toEqual(expected);
    if (expected.length === 0) {
      expect(result).toBe(plan);
      return;
    }
    expect(result.classification.level).toBe("critical");
    expect(result.classification.requirement).toBe(critical);
    expect(findings.every((f) => f.rule === PROTECTED_FILE_RULE && f.level === "critical")).toBe(true);
    // The input plan is a value: never mutated.
    expect(plan.classification.level).toBe("low");
    expect(plan.classification.pullRequestFindings).toBeUndefined();
    // Per-change levels are kept as classified.
    expect(result.classification.changes[0]?.level).toBe("low");
  });

  it("explains the finding", () => {
    const result = escalateForProtectedFiles(plan, [".github/countersign.yml"], config, critical);
    expect(result.classification.pullRequestFindings).toEqual([
      {
        rule: "protected-file",
        level: "critical",
        reason:
          "changes .github/countersign.yml, the countersign repository configuration: such a PR is always critical",
        path: ".github/countersign.yml",
      },
    ]);
  });
});
