/** The policy engine: compile RiskPolicy YAML once, then classify change sets as a pure function. */
export { compilePolicy } from "./program.js";
export type { RiskPolicy } from "./program.js";
export type { CompileOptions, CompiledRule } from "./compile.js";
export { PolicyError, formatIssue } from "./errors.js";
export type { PolicyIssue, PolicySource, RuleExample, RuleMatch, RuleSpec } from "./types.js";
export type { EffectiveRule } from "./overrides.js";
export { exampleChange, exampleManifest } from "./examples.js";
export type { ExampleResult } from "./examples.js";
export { explainPolicy } from "./explain.js";
export type { PolicyExplanation, RuleExplanation } from "./explain.js";
export { CEL_HELPERS } from "./cel-env.js";
export { DEFAULT_COUNTERSIGN_NAMESPACE, DEFAULT_REQUIREMENTS, levelRank, maxLevel } from "./level.js";
export { POLICY_API_VERSION, POLICY_KIND, PACK_LABEL } from "./schema.js";
