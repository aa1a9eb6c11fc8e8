import type { Requirement, RiskLevel } from "../model.js";
import type { RiskPolicy } from "./program.js";
import type { RuleMatch } from "./types.js";

export interface RuleExplanation {
  name: string;
  level: RiskLevel;
  /** Set when an override changed the level. */
  originalLevel?: RiskLevel;
  disabled: boolean;
  justification?: string;
  protected: boolean;
  file: string;
  overriddenBy: string[];
  reason: string;
  description?: string;
  match: RuleMatch;
  expression?: string;
  onError: "match" | "ignore";
  introducedOnly: boolean;
  examples: { match: number; noMatch: number };
}

export interface PolicyExplanation {
  digest: string;
  baseLevel: RiskLevel;
  countersignNamespace: string;
  requirements: Record<RiskLevel, Requirement>;
  rules: RuleExplanation[];
}

/** A plain description of the compiled policy (rules, matches, levels, requirements) for humans and JSON. */
export function explainPolicy(policy: RiskPolicy, ruleName?: string): PolicyExplanation {
  const rules = policy.rules
    .filter((r) => ruleName === undefined || r.spec.name === ruleName)
    .map(({ spec }) => {
      const rule: RuleExplanation = {
        name: spec.name,
        level: spec.level,
        disabled: spec.disabled,
        protected: spec.protected,
        file: spec.file,
        overriddenBy: [...spec.overriddenBy],
        reason: spec.reason,
        match: spec.match,
        onError: spec.onError,
        introducedOnly: spec.introducedOnly,
        examples: { match: spec.examples.match.length, noMatch: spec.examples.noMatch.length },
      };
      if (spec.originalLevel !== spec.level) rule.originalLevel = spec.originalLevel;
      if (spec.justification !== undefined) rule.justification = spec.justification;
      if (spec.description !== undefined) rule.description = spec.description;
      if (spec.expression !== undefined) rule.expression = spec.expression.trim();
      return rule;
    });
  return {
    digest: policy.digest,
    baseLevel: policy.baseLevel,
    countersignNamespace: policy.countersignNamespace,
    requirements: { ...policy.requirements },
    rules,
  };
}
