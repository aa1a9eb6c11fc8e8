import type { Change, ChangeSet, ClassifiedChange, Classification, Finding, RiskLevel } from "../model.js";
import type { CelContext } from "./cel-env.js";
import type { CompiledParts, CompiledRule } from "./compile.js";
import { interpolate, oneLine } from "./interpolate.js";
import { maxLevel } from "./level.js";
import { valueKey } from "./value-key.js";
import { valueAt } from "./field-changes.js";
import { changeFile, mayMatchKind } from "./match.js";

/** At most this many findings per rule and change: one finding per container is useful, a thousand is not. */
const MAX_HITS_PER_RULE = 20;
const MAX_ERROR_LENGTH = 200;

interface Hit {
  path: string | undefined;
  values: Record<string, unknown>;
}

const IDENTIFIER_DETAIL = /^[A-Za-z0-9_.\-/<>, +*%=!?]{1,64}$/;

/**
 * The first line of an expression error, without object content: CEL messages can quote values
 * ("Invalid regular expression: <value>", "No such key: <value>"), so a detail after the last
 * ": " is kept only when it looks like an identifier or a type, and never for a Secret.
 */
export function errorText(error: unknown, kind: string): string {
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const colon = text.lastIndexOf(": ");
  if (colon >= 0) {
    const detail = text.slice(colon + 2);
    if (kind === "Secret" || !IDENTIFIER_DETAIL.test(detail))
      return oneLine(`${text.slice(0, colon)}: …`, MAX_ERROR_LENGTH);
  }
  return oneLine(text, MAX_ERROR_LENGTH);
}

function toHit(item: unknown, fallback: string | undefined): Hit {
  if (typeof item === "string") return { path: item, values: {} };
  let values: Record<string, unknown> = {};
  if (item instanceof Map) values = Object.fromEntries(item as Map<string, unknown>);
  else if (typeof item === "object" && item !== null && !Array.isArray(item))
    values = { ...(item as object) };
  else throw new Error(`a list result must hold strings or maps, got ${typeof item}`);
  const path = typeof values["path"] === "string" ? values["path"] : fallback;
  return { path, values };
}

/** Turns an expression result into hits: true → one, false/null/[] → none, a list → one per element. */
function hitsOf(result: unknown, fallback: string | undefined): Hit[] {
  if (result === true) return [{ path: fallback, values: {} }];
  if (result === false || result === null || result === undefined) return [];
  if (Array.isArray(result)) return result.slice(0, MAX_HITS_PER_RULE).map((item) => toHit(item, fallback));
  throw new Error(`the expression must return a bool or a list, got ${typeof result}`);
}

/**
 * Keeps the hits that are new: a hit is dropped only when the same path hit on the old object and
 * the value at that path did not change (so widening `rules[0]` from one wildcard to three still
 * fires). If the old side errors, or a path cannot be resolved, the hit is kept (fail closed).
 */
function dropPreexisting(rule: CompiledRule, hits: Hit[], context: CelContext): Hit[] {
  const old = context.oldObject;
  if (old === null || rule.expression === undefined) return hits;
  let before: Hit[];
  try {
    const oldContext: CelContext = {
      ...context,
      object: old,
      oldObject: null,
      operation: "create",
      resource: old,
    };
    before = hitsOf(rule.expression(oldContext), rule.spec.path);
  } catch {
    return hits;
  }
  const seen = new Set(before.map((h) => h.path ?? ""));
  return hits.filter((h) => {
    if (h.path === undefined || !seen.has(h.path)) return true;
    const a = valueAt(old, h.path);
    const b = valueAt(context.object, h.path);
    if (!a.found || !b.found) return true;
    return valueKey(a.value) !== valueKey(b.value);
  });
}

/**
 * Values every reason may interpolate: {{kind}}, {{name}}, {{namespace}}, {{ref}} (`namespace/name`,
 * or `name` for a cluster-scoped object), {{operation}}, {{file}}, {{rule}}.
 */
function builtinValues(change: Change, context: CelContext, rule: string): Record<string, unknown> {
  return {
    kind: change.kind,
    name: change.name,
    namespace: change.namespace,
    ref: change.namespace === "" ? change.name : `${change.namespace}/${change.name}`,
    operation: change.op,
    file: context.file,
    rule,
  };
}

/** Builds the CEL variables of one change. */
export function celContext(change: Change, countersignNamespace: string): CelContext {
  const object = change.after?.object ?? null;
  const oldObject = change.before?.object ?? null;
  return {
    object,
    oldObject,
    operation: change.op,
    resource: object ?? oldObject ?? {},
    file: changeFile(change),
    countersignNamespace,
  };
}

/**
 * Runs one rule on one change: its findings, or none. Never throws: an expression error becomes a
 * finding marked `error` (onError: match, the default: fail closed) or no finding (onError: ignore).
 */
export function evaluateRule(rule: CompiledRule, change: Change, context: CelContext): Finding[] {
  const spec = rule.spec;
  if (!rule.select(change, context.file)) return [];
  let hits: Hit[];
  try {
    hits =
      rule.expression === undefined
        ? [{ path: spec.path, values: {} }]
        : hitsOf(rule.expression(context), spec.path);
  } catch (error) {
    if (spec.onError === "ignore") return [];
    const builtins = builtinValues(change, context, spec.name);
    const finding: Finding = {
      rule: spec.name,
      level: spec.level,
      reason: `${interpolate(spec.reason, builtins)} (rule could not be evaluated; counted as matched)`,
      error: errorText(error, change.kind),
    };
    if (spec.path !== undefined) finding.path = spec.path;
    return [finding];
  }
  if (
    hits.length > 0 &&
    spec.introducedOnly &&
    change.op === "update" &&
    context.oldObject !== null &&
    rule.expression !== undefined
  ) {
    hits = dropPreexisting(rule, hits, context);
  }
  if (hits.length === 0) return hits as [];
  const builtins = builtinValues(change, context, spec.name);
  return hits.map((hit) => {
    const values: Record<string, unknown> = { ...builtins, ...hit.values };
    if (hit.path !== undefined) values["path"] = hit.path;
    const finding: Finding = { rule: spec.name, level: spec.level, reason: interpolate(spec.reason, values) };
    if (hit.path !== undefined) finding.path = hit.path;
    return finding;
  });
}

/** The enabled rules, looked up by kind so that a ConfigMap never pays for the pod-security rules. */
export class RuleIndex {
  private readonly byKind = new Map<string, readonly CompiledRule[]>();

  constructor(private readonly rules: readonly CompiledRule[]) {}

  forKind(kind: string): readonly CompiledRule[] {
    let list = this.byKind.get(kind);
    if (list === undefined) {
      list = this.rules.filter((r) => mayMatchKind(r.spec.match, kind));
      // Bounded: hostile input could bring many kinds; past this, compute without caching.
      if (this.byKind.size < 1000) this.byKind.set(kind, list);
    }
    return list;
  }
}

/** Classifies one change: the highest level of its findings, or the base level. */
export function classifyChange(parts: CompiledParts, rules: RuleIndex, change: Change): ClassifiedChange {
  const context = celContext(change, parts.countersignNamespace);
  const findings: Finding[] = [];
  let level: RiskLevel = parts.baseLevel;
  for (const rule of rules.forKind(change.kind)) {
    for (const finding of evaluateRule(rule, change, context)) {
      findings.push(finding);
      level = maxLevel(level, finding.level);
    }
  }
  return { change, level, findings };
}

/** Classifies a change set: each change, then the highest level overall and its requirement. */
export function classifyChangeSet(
  parts: CompiledParts,
  rules: RuleIndex,
  changeSet: ChangeSet,
): Classification {
  const changes = changeSet.changes.map((change) => classifyChange(parts, rules, change));
  const level = changes.reduce<RiskLevel>((acc, c) => maxLevel(acc, c.level), parts.baseLevel);
  const req = parts.requirements[level];
  return {
    level,
    requirement: { approvals: req.approvals, teams: [...req.teams], users: [...req.users], auto: req.auto },
    changes,
    policyDigest: parts.digest,
  };
}
