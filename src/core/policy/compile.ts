import type { Environment } from "@marcbachmann/cel-js";
import { RISK_LEVELS } from "../model.js";
import type { Requirement, RiskLevel } from "../model.js";
import { createCelEnvironment } from "./cel-env.js";
import { canonicalJson, sha256Hex } from "../canonical.js";
import { PolicyError } from "./errors.js";
import { DEFAULT_COUNTERSIGN_NAMESPACE, DEFAULT_REQUIREMENTS } from "./level.js";
import { checkMatch, compileMatch } from "./match.js";
import type { ChangeSelector } from "./match.js";
import { mergeRules } from "./overrides.js";
import type { EffectiveRule } from "./overrides.js";
import { parsePolicySource } from "./schema.js";
import type { PolicyDocument, PolicyIssue, PolicySource } from "./types.js";

export interface CompileOptions {
  /** countersign's own namespace; wins over the policy's `spec.countersignNamespace`. */
  countersignNamespace?: string;
}

/** A rule ready to run: selectors compiled, expression parsed. */
export interface CompiledRule {
  readonly spec: EffectiveRule;
  readonly select: ChangeSelector;
  /** undefined when the rule has no expression (its selectors decide alone). */
  readonly expression: ((context: object) => unknown) | undefined;
}

/** Everything compilePolicy produces before it is wrapped for evaluation. */
export interface CompiledParts {
  digest: string;
  baseLevel: RiskLevel;
  countersignNamespace: string;
  requirements: Record<RiskLevel, Requirement>;
  /** Every rule, disabled ones included (for explain); only enabled ones are evaluated. */
  rules: CompiledRule[];
  documents: PolicyDocument[];
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

function resolveRequirements(
  documents: PolicyDocument[],
  issues: PolicyIssue[],
): Record<RiskLevel, Requirement> {
  const out = {} as Record<RiskLevel, Requirement>;
  const setBy: Partial<Record<RiskLevel, string>> = {};
  for (const level of RISK_LEVELS) out[level] = { ...DEFAULT_REQUIREMENTS[level] };
  for (const doc of documents) {
    for (const level of RISK_LEVELS) {
      const spec = doc.levels[level];
      if (spec === undefined) continue;
      setBy[level] = doc.file;
      const req = out[level];
      if (spec.auto !== undefined) req.auto = spec.auto;
      if (spec.approvals !== undefined) req.approvals = spec.approvals;
      if (spec.auto === true) req.approvals = 0;
      else if (spec.auto === false && spec.approvals === undefined && req.approvals === 0) {
        req.approvals = DEFAULT_REQUIREMENTS[level].approvals;
      }
      if (spec.teams !== undefined) req.teams = [...spec.teams];
      if (spec.users !== undefined) req.users = [...spec.users];
    }
  }
  let previous = 0;
  for (const level of RISK_LEVELS) {
    const req = out[level];
    if (!req.auto && req.approvals === 0) {
      issues.push({
        file: setBy[level] ?? "(defaults)",
        field: `spec.levels.${level}`,
        message: "0 approvals needs auto: true",
      });
    }
    if (req.approvals < previous) {
      issues.push({
        file: setBy[level] ?? "(defaults)",
        field: `spec.levels.${level}.approvals`,
        message: `a higher level cannot need fewer approvals than a lower one (${req.approvals} < ${previous})`,
      });
    }
    previous = Math.max(previous, req.approvals);
  }
  return out;
}

function compileExpression(
  env: Environment,
  rule: EffectiveRule,
  issues: PolicyIssue[],
): CompiledRule["expression"] {
  if (rule.expression === undefined) return undefined;
  try {
    const parsed = env.parse(rule.expression);
    const checked = parsed.check();
    if (!checked.valid) {
      issues.push({
        file: rule.file,
        rule: rule.name,
        field: "expression",
        message: firstLine(checked.error),
      });
      return undefined;
    }
    return parsed as unknown as (context: object) => unknown;
  } catch (error) {
    issues.push({ file: rule.file, rule: rule.name, field: "expression", message: firstLine(error) });
    return undefined;
  }
}

/** The semantic content of the merged policy: what the digest covers (not examples, files or comments). */
function canonicalForm(parts: Omit<CompiledParts, "digest" | "documents">): unknown {
  return {
    baseLevel: parts.baseLevel,
    countersignNamespace: parts.countersignNamespace,
    requirements: parts.requirements,
    rules: parts.rules
      .filter((r) => !r.spec.disabled)
      .map(({ spec }) => ({
        name: spec.name,
        level: spec.level,
        reason: spec.reason,
        match: spec.match,
        expression: spec.expression,
        path: spec.path,
        onError: spec.onError,
        introducedOnly: spec.introducedOnly,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** Validates, merges and compiles the sources; throws PolicyError listing every issue. */
export function compileParts(sources: PolicySource[], options: CompileOptions = {}): CompiledParts {
  const issues: PolicyIssue[] = [];
  const documents: PolicyDocument[] = [];
  if (sources.length === 0) issues.push({ file: "(none)", message: "no policy source given" });
  for (const source of sources) {
    const result = parsePolicySource(source.file, source.content);
    issues.push(...result.issues);
    documents.push(...result.documents);
  }
  const hasDefaultPack = documents.some((d) => d.pack === "default");
  for (const doc of documents) {
    if (doc.extends === "default" && !hasDefaultPack) {
      issues.push({
        file: doc.file,
        field: "spec.extends",
        message: "extends the default pack, but the default pack is not among the sources",
      });
    }
  }
  const rules = mergeRules(documents, issues);
  const requirements = resolveRequirements(documents, issues);
  let baseLevel: RiskLevel = "low";
  let countersignNamespace = DEFAULT_COUNTERSIGN_NAMESPACE;
  for (const doc of documents) {
    if (doc.baseLevel !== undefined) baseLevel = doc.baseLevel;
    if (doc.countersignNamespace !== undefined) countersignNamespace = doc.countersignNamespace;
  }
  if (options.countersignNamespace !== undefined) countersignNamespace = options.countersignNamespace;
  const env = createCelEnvironment();
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const problems = checkMatch(rule.match);
    for (const message of problems)
      issues.push({ file: rule.file, rule: rule.name, field: "match", message });
    const expression = compileExpression(env, rule, issues);
    const select: ChangeSelector = problems.length > 0 ? () => false : compileMatch(rule.match);
    compiled.push({ spec: rule, select, expression });
  }
  if (issues.length > 0) throw new PolicyError(issues);
  const parts = { baseLevel, countersignNamespace, requirements, rules: compiled };
  // Optional spec fields are undefined when absent: left out, as when the digest was first recorded.
  return {
    ...parts,
    documents,
    digest: sha256Hex(canonicalJson(canonicalForm(parts), { undefinedAsAbsent: true })),
  };
}
