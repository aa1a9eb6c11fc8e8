import type { RiskLevel } from "../model.js";

/** One problem in a policy source: names the file, the rule and the field when known. */
export interface PolicyIssue {
  file: string;
  rule?: string;
  field?: string;
  message: string;
}

/** A policy source as read from disk or from the default branch. */
export interface PolicySource {
  file: string;
  content: string;
}

/** A rule's example: the variables of one admission-style request. */
export interface RuleExample {
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  operation?: "create" | "update" | "delete";
  /** Manifest file path, for rules scoped by path. Default `example.yaml`. */
  file?: string;
}

/** What a rule matches before its expression runs (all given selectors must match). */
export interface RuleMatch {
  /** `Kind` (any group), `group/Kind`, `core/Kind` (the core group) or `*`. */
  kinds?: string[];
  /** Namespace names or globs; cluster-scoped objects (namespace "") never match a non-empty list. */
  namespaces?: string[];
  excludeNamespaces?: string[];
  /** Globs on the manifest file path. */
  paths?: string[];
  excludePaths?: string[];
  operations?: ("create" | "update" | "delete")[];
}

export interface RuleSpec {
  name: string;
  level: RiskLevel;
  reason: string;
  description?: string;
  match: RuleMatch;
  /** CEL: bool, or a list of hits (strings are field paths, maps carry `path` and interpolation values). */
  expression?: string;
  /** Field path reported when the expression returns a bool (or there is no expression). */
  path?: string;
  onError: "match" | "ignore";
  /** On updates, drop hits whose path already hit on the old object (the risk was reviewed when introduced). */
  introducedOnly: boolean;
  /** Protected rules cannot be disabled or lowered by overrides (self-protection). */
  protected: boolean;
  examples: { match: RuleExample[]; noMatch: RuleExample[] };
  /** The file the rule came from. */
  file: string;
}

export interface LevelSpec {
  approvals?: number;
  teams?: string[];
  users?: string[];
  auto?: boolean;
}

export interface OverrideSpec {
  rule: string;
  level?: RiskLevel;
  disabled?: boolean;
  /** Why the override exists; required to disable a rule. */
  justification?: string;
  file: string;
  /** Position in spec.overrides, for error messages. */
  index: number;
}

/** One validated RiskPolicy document. */
export interface PolicyDocument {
  file: string;
  name: string;
  /** `default` when this document is part of the shipped default pack. */
  pack?: string;
  extends?: "default";
  baseLevel?: RiskLevel;
  countersignNamespace?: string;
  levels: Partial<Record<RiskLevel, LevelSpec>>;
  rules: RuleSpec[];
  overrides: OverrideSpec[];
}
