import { levelRank } from "./level.js";
import type { PolicyDocument, PolicyIssue, RuleSpec } from "./types.js";

/** A rule after overrides, with where its level came from (for `policy explain`). */
export interface EffectiveRule extends RuleSpec {
  /** The level the rule was written with, before overrides. */
  originalLevel: RuleSpec["level"];
  /** Files whose overrides changed this rule. */
  overriddenBy: string[];
  disabled: boolean;
  justification?: string;
}

/**
 * Merges the rules of every document (names must be unique across sources) and applies overrides
 * in source order. Overriding an unknown rule is an error (a typo must not silently do nothing);
 * protected rules can be raised but never lowered or disabled.
 */
export function mergeRules(documents: PolicyDocument[], issues: PolicyIssue[]): EffectiveRule[] {
  const byName = new Map<string, EffectiveRule>();
  const rules: EffectiveRule[] = [];
  for (const doc of documents) {
    for (const rule of doc.rules) {
      const existing = byName.get(rule.name);
      if (existing !== undefined) {
        issues.push({
          file: rule.file,
          rule: rule.name,
          field: "name",
          message: `duplicate rule name (also in ${existing.file}); use spec.overrides to change a rule`,
        });
        continue;
      }
      const effective: EffectiveRule = {
        ...rule,
        originalLevel: rule.level,
        overriddenBy: [],
        disabled: false,
      };
      byName.set(rule.name, effective);
      rules.push(effective);
    }
  }
  for (const doc of documents) {
    for (const override of doc.overrides) {
      const rule = byName.get(override.rule);
      if (rule === undefined) {
        issues.push({
          file: override.file,
          rule: override.rule,
          field: `spec.overrides[${override.index}].rule`,
          message: "no rule of that name",
        });
        continue;
      }
      if (rule.protected && override.disabled === true) {
        issues.push({
          file: override.file,
          rule: override.rule,
          field: `spec.overrides[${override.index}].disabled`,
          message: "a protected rule cannot be disabled",
        });
        continue;
      }
      if (
        rule.protected &&
        override.level !== undefined &&
        levelRank(override.level) < levelRank(rule.level)
      ) {
        issues.push({
          file: override.file,
          rule: override.rule,
          field: `spec.overrides[${override.index}].level`,
          message: `a protected rule cannot be lowered below ${rule.level}`,
        });
        continue;
      }
      if (override.level !== undefined) rule.level = override.level;
      if (override.disabled !== undefined) rule.disabled = override.disabled;
      if (override.justification !== undefined) rule.justification = override.justification;
      rule.overriddenBy.push(override.file);
    }
  }
  return rules;
}
