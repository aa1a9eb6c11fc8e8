import type { Change, Finding, KubeObject, ManifestObject, Operation } from "../model.js";
import type { CompiledRule } from "./compile.js";
import { celContext, evaluateRule } from "./evaluate.js";
import { unfilledPlaceholder } from "./interpolate.js";
import type { RuleExample } from "./types.js";

type Obj = Record<string, unknown>;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A ManifestObject for an example object (digest and line are placeholders: examples are not applied). */
export function exampleManifest(object: KubeObject, file: string): ManifestObject {
  const apiVersion = text(object["apiVersion"]);
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const metadata = (
    typeof object["metadata"] === "object" && object["metadata"] !== null ? object["metadata"] : {}
  ) as Obj;
  const kind = text(object["kind"]);
  const namespace = text(metadata["namespace"]);
  const name = text(metadata["name"]);
  return {
    key: `${group}/${kind}/${namespace}/${name}`,
    group,
    version,
    apiVersion,
    kind,
    namespace,
    name,
    object,
    digest: "example",
    source: { file, line: 1 },
  };
}

/** The change an example describes; the operation defaults from which objects are given. */
export function exampleChange(example: RuleExample): Change {
  const file = example.file ?? "example.yaml";
  const after = example.object ? exampleManifest(example.object, file) : undefined;
  const before = example.oldObject ? exampleManifest(example.oldObject, file) : undefined;
  const op: Operation = example.operation ?? (after && before ? "update" : after ? "create" : "delete");
  const id = (after ?? before) as ManifestObject;
  const change: Change = {
    key: id.key,
    op,
    group: id.group,
    kind: id.kind,
    namespace: id.namespace,
    name: id.name,
    fields: [],
    deltas: [],
  };
  if (op !== "create" && before !== undefined) change.before = before;
  if (op !== "delete" && after !== undefined) change.after = after;
  return change;
}

/** The outcome of one rule example. */
export interface ExampleResult {
  rule: string;
  file: string;
  expect: "match" | "noMatch";
  index: number;
  passed: boolean;
  findings: Finding[];
  /** Why it failed, in one line. */
  message?: string;
}

/** Runs every example of one rule against that rule alone. An expression error fails the example. */
export function runRuleExamples(rule: CompiledRule, countersignNamespace: string): ExampleResult[] {
  const results: ExampleResult[] = [];
  for (const expect of ["match", "noMatch"] as const) {
    rule.spec.examples[expect].forEach((example, index) => {
      const change = exampleChange(example);
      const findings = evaluateSafe(rule, change, countersignNamespace);
      const errored = findings.find((f) => f.error !== undefined);
      const fired = findings.length > 0;
      const result: ExampleResult = {
        rule: rule.spec.name,
        file: rule.spec.file,
        expect,
        index,
        findings,
        passed: false,
      };
      if (errored !== undefined) result.message = `expression failed: ${errored.error ?? ""}`;
      else if (expect === "match" && !fired) result.message = "expected the rule to fire; it did not";
      else if (expect === "match" && unfilled(findings) !== undefined)
        result.message = `the reason leaves ${unfilled(findings) ?? ""} unfilled: no hit carries that value`;
      else if (expect === "noMatch" && fired)
        result.message = `expected no match; fired: ${findings[0]?.reason ?? ""}`;
      else result.passed = true;
      results.push(result);
    });
  }
  return results;
}

function unfilled(findings: readonly Finding[]): string | undefined {
  for (const f of findings) {
    const placeholder = unfilledPlaceholder(f.reason);
    if (placeholder !== undefined) return placeholder;
  }
  return undefined;
}

function evaluateSafe(rule: CompiledRule, change: Change, countersignNamespace: string): Finding[] {
  // Examples always fail closed so that an erroring expression shows up, whatever onError says.
  const strict: CompiledRule = { ...rule, spec: { ...rule.spec, onError: "match" } };
  return evaluateRule(strict, change, celContext(change, countersignNamespace));
}
