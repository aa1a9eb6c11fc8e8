import { LineCounter, parseAllDocuments } from "yaml";
import { RISK_LEVELS } from "../model.js";
import { duplicateKeyOffset } from "../yaml-duplicate-keys.js";
import { isRiskLevel } from "./level.js";
import type {
  LevelSpec,
  OverrideSpec,
  PolicyDocument,
  PolicyIssue,
  RuleExample,
  RuleMatch,
  RuleSpec,
} from "./types.js";

export const POLICY_API_VERSION = "countersign.dev/v1alpha1";
export const POLICY_KIND = "RiskPolicy";
/** Label that marks a document of the shipped default pack. */
export const PACK_LABEL = "countersign.dev/pack";

const MAX_SOURCE_BYTES = 2_000_000;
const RULE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const OPERATIONS = ["create", "update", "delete"] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Collects issues for one file; `at` narrows the rule and field. */
class Checker {
  readonly issues: PolicyIssue[] = [];
  constructor(readonly file: string) {}

  add(message: string, field?: string, rule?: string): void {
    const issue: PolicyIssue = { file: this.file, message };
    if (rule !== undefined) issue.rule = rule;
    if (field !== undefined) issue.field = field;
    this.issues.push(issue);
  }

  unknownKeys(value: Obj, allowed: readonly string[], field: string, rule?: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.add(`unknown field (allowed: ${allowed.join(", ")})`, join(field, key), rule);
    }
  }

  stringList(value: unknown, field: string, rule?: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
      this.add("must be a list of non-empty strings", field, rule);
      return undefined;
    }
    return value as string[];
  }

  level(value: unknown, field: string, rule?: string): (typeof RISK_LEVELS)[number] | undefined {
    if (isRiskLevel(value)) return value;
    this.add(`must be one of ${RISK_LEVELS.join(", ")}`, field, rule);
    return undefined;
  }
}

function join(base: string, key: string): string {
  return base === "" ? key : `${base}.${key}`;
}

function parseMatch(c: Checker, value: unknown, field: string, rule: string): RuleMatch {
  if (value === undefined) return {};
  if (!isObj(value)) {
    c.add("must be a mapping", field, rule);
    return {};
  }
  c.unknownKeys(
    value,
    ["kinds", "namespaces", "excludeNamespaces", "paths", "excludePaths", "operations"],
    field,
    rule,
  );
  const match: RuleMatch = {};
  for (const key of ["kinds", "namespaces", "excludeNamespaces", "paths", "excludePaths"] as const) {
    const list = c.stringList(value[key], join(field, key), rule);
    if (list !== undefined) match[key] = list;
  }
  const ops = c.stringList(value["operations"], join(field, "operations"), rule);
  if (ops !== undefined) {
    const bad = ops.filter((o) => !(OPERATIONS as readonly string[]).includes(o));
    if (bad.length > 0)
      c.add(
        `unknown operation(s) ${bad.join(", ")} (allowed: create, update, delete)`,
        join(field, "operations"),
        rule,
      );
    else match.operations = ops as RuleMatch["operations"];
  }
  for (const kind of match.kinds ?? []) {
    if (kind.split("/").length > 2)
      c.add(`kind "${kind}" must be Kind, group/Kind or core/Kind`, join(field, "kinds"), rule);
  }
  return match;
}

function parseExamples(c: Checker, value: unknown, field: string, rule: string): RuleSpec["examples"] {
  const out: RuleSpec["examples"] = { match: [], noMatch: [] };
  if (value === undefined) return out;
  if (!isObj(value)) {
    c.add("must be a mapping with match and noMatch lists", field, rule);
    return out;
  }
  c.unknownKeys(value, ["match", "noMatch"], field, rule);
  for (const key of ["match", "noMatch"] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      c.add("must be a list", join(field, key), rule);
      continue;
    }
    list.forEach((ex: unknown, i) => {
      const f = `${field}.${key}[${i}]`;
      if (!isObj(ex)) return c.add("must be a mapping with object/oldObject/operation/file", f, rule);
      c.unknownKeys(ex, ["object", "oldObject", "operation", "file"], f, rule);
      const example: RuleExample = {};
      for (const k of ["object", "oldObject"] as const) {
        const o = ex[k];
        if (o === undefined || o === null) continue;
        if (!isObj(o) || typeof o["kind"] !== "string" || typeof o["apiVersion"] !== "string") {
          c.add("must be a Kubernetes object with apiVersion and kind", join(f, k), rule);
        } else example[k] = o;
      }
      if (example.object === undefined && example.oldObject === undefined)
        c.add("needs object or oldObject", f, rule);
      if (ex["operation"] !== undefined) {
        if (!(OPERATIONS as readonly unknown[]).includes(ex["operation"]))
          c.add("must be create, update or delete", join(f, "operation"), rule);
        else example.operation = ex["operation"] as RuleExample["operation"];
      }
      if (ex["file"] !== undefined) {
        if (typeof ex["file"] !== "string") c.add("must be a string", join(f, "file"), rule);
        else example.file = ex["file"];
      }
      out[key].push(example);
    });
  }
  return out;
}

function parseRule(c: Checker, value: unknown, index: number): RuleSpec | undefined {
  const field = `spec.rules[${index}]`;
  if (!isObj(value)) {
    c.add("must be a mapping", field);
    return undefined;
  }
  const name = typeof value["name"] === "string" ? value["name"] : undefined;
  if (name === undefined || !RULE_NAME.test(name)) {
    c.add(
      "name is required: lowercase letters, digits and dashes, at most 63 characters",
      join(field, "name"),
      name,
    );
  }
  const rule = name ?? `#${index}`;
  c.unknownKeys(
    value,
    [
      "name",
      "level",
      "reason",
      "description",
      "match",
      "expression",
      "path",
      "onError",
      "protected",
      "introducedOnly",
      "examples",
    ],
    field,
    rule,
  );
  const level = c.level(value["level"], join(field, "level"), rule);
  const reason = value["reason"];
  if (typeof reason !== "string" || reason.trim() === "")
    c.add("reason is required (a sentence for reviewers)", join(field, "reason"), rule);
  for (const key of ["description", "expression", "path"] as const) {
    if (value[key] !== undefined && (typeof value[key] !== "string" || value[key] === ""))
      c.add("must be a non-empty string", join(field, key), rule);
  }
  const onError = value["onError"] ?? "match";
  if (onError !== "match" && onError !== "ignore")
    c.add("must be match (fail closed) or ignore", join(field, "onError"), rule);
  if (value["introducedOnly"] !== undefined && typeof value["introducedOnly"] !== "boolean")
    c.add("must be true or false", join(field, "introducedOnly"), rule);
  if (value["protected"] !== undefined && typeof value["protected"] !== "boolean")
    c.add("must be true or false", join(field, "protected"), rule);
  const match = parseMatch(c, value["match"], join(field, "match"), rule);
  const examples = parseExamples(c, value["examples"], join(field, "examples"), rule);
  if (name === undefined || level === undefined || typeof reason !== "string") return undefined;
  const spec: RuleSpec = {
    name,
    level,
    reason,
    match,
    onError: onError === "ignore" ? "ignore" : "match",
    protected: value["protected"] === true,
    introducedOnly: value["introducedOnly"] === true,
    examples,
    file: c.file,
  };
  if (typeof value["description"] === "string") spec.description = value["description"];
  if (typeof value["expression"] === "string") spec.expression = value["expression"];
  if (typeof value["path"] === "string") spec.path = value["path"];
  return spec;
}

function parseLevels(c: Checker, value: unknown): PolicyDocument["levels"] {
  const levels: PolicyDocument["levels"] = {};
  if (value === undefined) return levels;
  if (!isObj(value)) {
    c.add("must be a mapping of level to requirement", "spec.levels");
    return levels;
  }
  for (const [key, spec] of Object.entries(value)) {
    const field = `spec.levels.${key}`;
    if (!isRiskLevel(key)) {
      c.add(`unknown level (allowed: ${RISK_LEVELS.join(", ")})`, field);
      continue;
    }
    if (!isObj(spec)) {
      c.add("must be a mapping with approvals, teams, users, auto", field);
      continue;
    }
    c.unknownKeys(spec, ["approvals", "teams", "users", "auto"], field);
    const out: LevelSpec = {};
    const approvals = spec["approvals"];
    if (approvals !== undefined) {
      if (typeof approvals !== "number" || !Number.isInteger(approvals) || approvals < 0 || approvals > 20) {
        c.add("must be an integer from 0 to 20", join(field, "approvals"));
      } else out.approvals = approvals;
    }
    const teams = c.stringList(spec["teams"], join(field, "teams"));
    if (teams !== undefined) {
      for (const t of teams)
        if (!/^[^/\s]+\/[^/\s]+$/.test(t)) c.add(`team "${t}" must be org/team-slug`, join(field, "teams"));
      out.teams = teams;
    }
    const users = c.stringList(spec["users"], join(field, "users"));
    if (users !== undefined) out.users = users;
    if (spec["auto"] !== undefined) {
      if (typeof spec["auto"] !== "boolean") c.add("must be true or false", join(field, "auto"));
      else out.auto = spec["auto"];
    }
    if (out.auto === true && (out.approvals ?? 0) > 0)
      c.add("an auto level needs no approvals: drop approvals or auto", field);
    levels[key] = out;
  }
  return levels;
}

function parseOverrides(c: Checker, value: unknown): OverrideSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    c.add("must be a list", "spec.overrides");
    return [];
  }
  const out: OverrideSpec[] = [];
  value.forEach((o: unknown, i) => {
    const field = `spec.overrides[${i}]`;
    if (!isObj(o)) return c.add("must be a mapping", field);
    const rule = typeof o["rule"] === "string" ? o["rule"] : undefined;
    if (rule === undefined)
      return c.add("rule is required (the name of the rule to override)", join(field, "rule"));
    c.unknownKeys(o, ["rule", "level", "disabled", "justification"], field, rule);
    const spec: OverrideSpec = { rule, file: c.file, index: i };
    if (o["level"] !== undefined) {
      const level = c.level(o["level"], join(field, "level"), rule);
      if (level !== undefined) spec.level = level;
    }
    if (o["disabled"] !== undefined) {
      if (typeof o["disabled"] !== "boolean") c.add("must be true or false", join(field, "disabled"), rule);
      else spec.disabled = o["disabled"];
    }
    if (o["justification"] !== undefined) {
      if (typeof o["justification"] !== "string" || o["justification"].trim() === "")
        c.add("must be a non-empty string", join(field, "justification"), rule);
      else spec.justification = o["justification"];
    }
    if (spec.level === undefined && spec.disabled === undefined)
      c.add("an override sets level or disabled", field, rule);
    if (spec.disabled === true && spec.justification === undefined)
      c.add("disabling a rule requires a justification", join(field, "justification"), rule);
    out.push(spec);
  });
  return out;
}

function parseDocument(c: Checker, value: unknown): PolicyDocument | undefined {
  if (!isObj(value)) {
    c.add("a policy document must be a mapping");
    return undefined;
  }
  c.unknownKeys(value, ["apiVersion", "kind", "metadata", "spec"], "");
  if (value["apiVersion"] !== POLICY_API_VERSION) c.add(`must be ${POLICY_API_VERSION}`, "apiVersion");
  if (value["kind"] !== POLICY_KIND) c.add(`must be ${POLICY_KIND}`, "kind");
  const metadata = isObj(value["metadata"]) ? value["metadata"] : {};
  const name = typeof metadata["name"] === "string" ? metadata["name"] : "";
  if (name === "") c.add("is required", "metadata.name");
  const labels = isObj(metadata["labels"]) ? metadata["labels"] : {};
  const spec = value["spec"];
  if (!isObj(spec)) {
    c.add("is required (a mapping)", "spec");
    return undefined;
  }
  c.unknownKeys(
    spec,
    ["extends", "baseLevel", "countersignNamespace", "levels", "rules", "overrides"],
    "spec",
  );
  const doc: PolicyDocument = {
    file: c.file,
    name,
    levels: parseLevels(c, spec["levels"]),
    rules: [],
    overrides: parseOverrides(c, spec["overrides"]),
  };
  if (typeof labels[PACK_LABEL] === "string") doc.pack = labels[PACK_LABEL];
  if (spec["extends"] !== undefined) {
    if (spec["extends"] !== "default")
      c.add('only "default" (the shipped pack) can be extended', "spec.extends");
    else doc.extends = "default";
  }
  if (spec["baseLevel"] !== undefined) {
    const level = c.level(spec["baseLevel"], "spec.baseLevel");
    if (level !== undefined) doc.baseLevel = level;
  }
  const ns = spec["countersignNamespace"];
  if (ns !== undefined) {
    if (typeof ns !== "string" || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
      c.add("must be a namespace name", "spec.countersignNamespace");
    else doc.countersignNamespace = ns;
  }
  const rules = spec["rules"];
  if (rules !== undefined && !Array.isArray(rules)) c.add("must be a list", "spec.rules");
  if (Array.isArray(rules)) {
    rules.forEach((r: unknown, i) => {
      const rule = parseRule(c, r, i);
      if (rule !== undefined) doc.rules.push(rule);
    });
  }
  return doc;
}

/** Parses and validates one policy file (one or more YAML documents). Never throws: problems are issues. */
export function parsePolicySource(
  file: string,
  content: string,
): { documents: PolicyDocument[]; issues: PolicyIssue[] } {
  const c = new Checker(file);
  if (content.length > MAX_SOURCE_BYTES) {
    c.add(`policy file larger than ${MAX_SOURCE_BYTES} bytes`);
    return { documents: [], issues: c.issues };
  }
  const documents: PolicyDocument[] = [];
  const lines = new LineCounter();
  let parsed;
  try {
    // Duplicate keys are found below in linear time (yaml's own check is quadratic).
    parsed = parseAllDocuments(content, { uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  } catch (error) {
    c.add(`cannot parse YAML: ${error instanceof Error ? error.message : String(error)}`);
    return { documents, issues: c.issues };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      // prettyErrors puts "at line L, column C" in the first line; the code excerpt after it is dropped.
      for (const e of doc.errors) c.add(`YAML error: ${(e.message.split("\n")[0] ?? "").replace(/:$/, "")}`);
      continue;
    }
    const duplicate = duplicateKeyOffset(doc);
    if (duplicate !== undefined) {
      const at = lines.linePos(duplicate);
      c.add(`YAML error: map keys must be unique at line ${at.line}, column ${at.col}`);
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      c.add(`cannot read YAML: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const parsedDoc = parseDocument(c, value);
    if (parsedDoc !== undefined) documents.push(parsedDoc);
  }
  if (documents.length === 0 && c.issues.length === 0) c.add("no RiskPolicy document in file");
  return { documents, issues: c.issues };
}
