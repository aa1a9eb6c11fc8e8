import { RISK_LEVELS } from "../core/model.js";
import type { Requirement } from "../core/model.js";
import type { ExampleResult, PolicyExplanation, RuleExplanation, RuleMatch } from "../core/policy/index.js";

function requirementText(req: Requirement): string {
  if (req.auto) return "auto-approved (0 approvals, recorded)";
  const from: string[] = [];
  if (req.teams.length > 0) from.push(`teams ${req.teams.join(", ")}`);
  if (req.users.length > 0) from.push(`users ${req.users.join(", ")}`);
  const who = from.length > 0 ? ` from ${from.join(" or ")}` : "";
  return `${req.approvals} approval${req.approvals === 1 ? "" : "s"}${who}`;
}

function matchText(match: RuleMatch): string[] {
  const lines: string[] = [];
  lines.push(`kinds: ${match.kinds?.join(", ") ?? "any"}`);
  lines.push(`operations: ${match.operations?.join(", ") ?? "any"}`);
  if (match.namespaces) lines.push(`namespaces: ${match.namespaces.join(", ")}`);
  if (match.excludeNamespaces) lines.push(`except namespaces: ${match.excludeNamespaces.join(", ")}`);
  if (match.paths) lines.push(`paths: ${match.paths.join(", ")}`);
  if (match.excludePaths) lines.push(`except paths: ${match.excludePaths.join(", ")}`);
  return lines;
}

function ruleText(rule: RuleExplanation): string {
  const flags: string[] = [];
  if (rule.disabled) flags.push(`DISABLED: ${rule.justification ?? ""}`);
  if (rule.originalLevel !== undefined) flags.push(`was ${rule.originalLevel}`);
  if (rule.protected) flags.push("protected");
  if (rule.introducedOnly) flags.push("new hits only on update");
  if (rule.onError === "ignore") flags.push("ignores expression errors");
  const head = `${rule.name}  [${rule.level}]${flags.length > 0 ? `  (${flags.join("; ")})` : ""}`;
  const lines = [head, `  reason: ${rule.reason}`];
  if (rule.description !== undefined) lines.push(`  about: ${rule.description}`);
  for (const line of matchText(rule.match)) lines.push(`  ${line}`);
  if (rule.expression !== undefined) {
    lines.push("  expression:");
    for (const line of rule.expression.split("\n")) lines.push(`    ${line}`);
  }
  lines.push(
    `  from: ${rule.file}${rule.overriddenBy.length > 0 ? ` (overridden by ${rule.overriddenBy.join(", ")})` : ""}`,
  );
  lines.push(`  examples: ${rule.examples.match} match, ${rule.examples.noMatch} no-match`);
  return lines.join("\n");
}

/** `policy explain` as text: levels and their requirements, then every rule. */
export function explanationToText(explanation: PolicyExplanation): string {
  const lines = [
    `policy digest: ${explanation.digest}`,
    `base level (no rule matches): ${explanation.baseLevel}`,
    `countersign namespace: ${explanation.countersignNamespace}`,
    "",
    "requirements:",
  ];
  for (const level of RISK_LEVELS)
    lines.push(`  ${level.padEnd(8)} ${requirementText(explanation.requirements[level])}`);
  lines.push("", `rules (${explanation.rules.length}):`, "");
  for (const rule of explanation.rules) lines.push(ruleText(rule), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** `policy test` as text: one line per example, then a summary. */
export function exampleResultsToText(results: readonly ExampleResult[]): string {
  const lines = results.map((r) => {
    const name = `${r.rule} ${r.expect === "match" ? "match" : "noMatch"}[${r.index}]`;
    return r.passed ? `ok    ${name}` : `FAIL  ${name}: ${r.message ?? ""} (${r.file})`;
  });
  const failed = results.filter((r) => !r.passed).length;
  const rules = new Set(results.map((r) => r.rule)).size;
  lines.push(
    "",
    `${results.length - failed} passed, ${failed} failed (${results.length} examples, ${rules} rules)`,
  );
  return `${lines.join("\n")}\n`;
}
