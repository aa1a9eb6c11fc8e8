import type { ChangeSet, Classification, Requirement, RiskLevel } from "../model.js";
import type { CompiledPolicy } from "../ports/policy.js";
import { compileParts } from "./compile.js";
import type { CompileOptions, CompiledParts, CompiledRule } from "./compile.js";
import { RuleIndex, classifyChange, classifyChangeSet } from "./evaluate.js";
import { runRuleExamples } from "./examples.js";
import type { ExampleResult } from "./examples.js";
import type { PolicySource } from "./types.js";

/** A compiled policy, plus what `policy explain` and `policy test` need. */
export interface RiskPolicy extends CompiledPolicy {
  readonly countersignNamespace: string;
  /** Every rule after overrides, disabled ones included, in source order. */
  readonly rules: readonly CompiledRule[];
  /** Classify a single change (the plan and the gate use `classify`). */
  classifyChange: (change: ChangeSet["changes"][number]) => ReturnType<typeof classifyChange>;
  /** Run every enabled rule's examples. */
  testExamples(): ExampleResult[];
}

function freezeRequirements(req: Record<RiskLevel, Requirement>): Readonly<Record<RiskLevel, Requirement>> {
  for (const r of Object.values(req)) {
    Object.freeze(r.teams);
    Object.freeze(r.users);
    Object.freeze(r);
  }
  return Object.freeze(req);
}

/**
 * Validates, merges (default pack + overrides, in the order given) and compiles policy sources once.
 * Throws PolicyError naming file, rule and field for every problem: an invalid policy never loads.
 */
export function compilePolicy(sources: PolicySource[], options: CompileOptions = {}): RiskPolicy {
  const parts: CompiledParts = compileParts(sources, options);
  const active = parts.rules.filter((r) => !r.spec.disabled);
  const index = new RuleIndex(active);
  const requirements = freezeRequirements(parts.requirements);
  return {
    digest: parts.digest,
    baseLevel: parts.baseLevel,
    requirements,
    countersignNamespace: parts.countersignNamespace,
    rules: parts.rules,
    classify: (changeSet: ChangeSet): Classification => classifyChangeSet(parts, index, changeSet),
    classifyChange: (change) => classifyChange(parts, index, change),
    testExamples: () => active.flatMap((rule) => runRuleExamples(rule, parts.countersignNamespace)),
  };
}
