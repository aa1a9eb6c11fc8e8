/**
 * What the gate publishes, built from its findings: check-run results for every outcome and the
 * sticky comment body. Plain functions of their inputs so they can be snapshot-tested.
 */
import type { VerdictDescription } from "../core/approval/evaluate.js";
import { COMMENT_MARKER, REPORT_CHAR_BUDGET } from "../core/constants.js";
import { RISK_LEVELS } from "../core/model.js";
import type { ManifestError, Plan, RiskLevel } from "../core/model.js";
import type { CheckAnnotation, CheckResult } from "../core/ports/pull-request-source.js";
import type { RepoConfigProblem } from "../core/repo-config.js";

/** Annotations GitHub shows per check run are capped; past this the summary says how many were left out. */
const MAX_ANNOTATIONS = 500;
/** Changes at this level or above get an annotation on their manifest's line. */
const ANNOTATED_LEVEL: RiskLevel = "high";

function rank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

function bullet(text: string): string {
  return `- ${text.replace(/\s+/g, " ")}`;
}

/** The repository configuration on the default branch is invalid: fail closed and say why. */
export function invalidConfigResult(
  file: string,
  problems: RepoConfigProblem[],
  message: string,
): CheckResult {
  const list =
    problems.length > 0
      ? problems.map((p) =>
          bullet(
            `\`${p.field || "(file)"}\`${p.line === undefined ? "" : ` (line ${p.line})`}: ${p.message}`,
          ),
        )
      : [bullet(message)];
  return {
    conclusion: "failure",
    title: `invalid repository configuration ${file}`,
    summary: [
      `countersign cannot evaluate this pull request: \`${file}\` on the default branch is invalid.`,
      "",
      ...list,
      "",
      "Fix the file on the default branch, then re-run this check.",
    ].join("\n"),
    annotations: [],
  };
}

/** The policy on the default branch (or the shipped pack) does not compile: fail closed. */
export function invalidPolicyResult(message: string): CheckResult {
  return {
    conclusion: "failure",
    title: "invalid policy",
    summary: `countersign cannot classify this pull request: the policy is invalid.\n\n${bullet(message)}`,
    annotations: [],
  };
}

/** Something went wrong while evaluating (GitHub unreachable, limits): the check stays non-success. */
export function evaluationErrorResult(message: string): CheckResult {
  return {
    conclusion: "failure",
    title: "countersign could not evaluate this pull request",
    summary: `The evaluation failed, so this check is not successful (fail closed). Re-run the check to try again.\n\n${bullet(message)}`,
    annotations: [],
  };
}

/** The PR changes nothing under the managed paths and no protected file. */
export function noManagedChangeResult(changedFiles: number, changedManifests: number): CheckResult {
  const what =
    changedManifests === 0
      ? `touches no managed path (${changedFiles} file(s) changed outside them)`
      : `changes ${changedManifests} managed file(s) but no Kubernetes object`;
  return {
    conclusion: "neutral",
    title: "no managed changes",
    summary: `This pull request ${what}, so countersign has nothing to approve.`,
    annotations: [],
  };
}

function errorAnnotations(errors: ManifestError[], mask: (text: string) => string): CheckAnnotation[] {
  return errors.map((e) => ({
    path: e.file,
    startLine: e.line ?? 1,
    endLine: e.line ?? 1,
    level: "failure" as const,
    title: "invalid manifest",
    message: mask(e.message),
  }));
}

/**
 * Invalid manifests at the head: failure with an annotation on each file and line. Messages are
 * masked: a few quote what they reject (`invalid apiVersion "…"`), which may be a credential.
 */
export function invalidManifestsResult(errors: ManifestError[], mask: (text: string) => string): CheckResult {
  const shown = errors.slice(0, MAX_ANNOTATIONS);
  const list = errors
    .slice(0, 50)
    .map((e) => bullet(`\`${e.file}\`${e.line === undefined ? "" : `:${e.line}`}: ${mask(e.message)}`));
  if (errors.length > 50) list.push(bullet(`… and ${errors.length - 50} more`));
  return {
    conclusion: "failure",
    title: `${errors.length} invalid manifest${errors.length === 1 ? "" : "s"}`,
    summary: ["countersign cannot classify manifests it cannot read:", "", ...list].join("\n"),
    annotations: errorAnnotations(shown, mask),
  };
}

/** Annotations on the lines of risky objects (at ANNOTATED_LEVEL or above). */
/** Annotations on the riskiest objects; reasons quote object values, so they are masked like the report. */
export function riskAnnotations(plan: Plan, mask: (text: string) => string): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const c of plan.classification.changes) {
    if (rank(c.level) < rank(ANNOTATED_LEVEL)) continue;
    const at = c.change.after?.source ?? c.change.before?.source;
    if (at === undefined) continue;
    out.push({
      path: at.file,
      startLine: at.line,
      endLine: at.line,
      level: c.level === "critical" ? "failure" : "warning",
      // Keys are masked as the report masks them: a name can hold a credential shape.
      title: mask(`${c.level} risk: ${c.change.op} ${c.change.key}`),
      message:
        mask(c.findings.map((f) => `${f.reason}${f.path === undefined ? "" : ` (${f.path})`}`).join("\n")) ||
        c.level,
    });
    if (out.length >= MAX_ANNOTATIONS) break;
  }
  return out;
}

/** The verdict on a classified PR; `recordBlock` (the encoded approval record) goes alone in `text`. */
export function verdictResult(
  plan: Plan,
  description: VerdictDescription,
  report: string,
  digest: string,
  recordBlock: string | undefined,
  mask: (text: string) => string,
): CheckResult {
  const budget = REPORT_CHAR_BUDGET - description.summary.length - 10;
  const summary =
    budget > 200 ? `${description.summary}\n\n---\n\n${report.slice(0, budget)}` : description.summary;
  const result: CheckResult = {
    conclusion: description.conclusion,
    title: description.title,
    summary,
    annotations: riskAnnotations(plan, mask),
    externalId: digest,
  };
  if (recordBlock !== undefined) result.text = recordBlock;
  return result;
}

/**
 * The PR's approval record would not fit its check run: say so on the first evaluation, before
 * anyone approves, rather than fail once they have (an approval that cannot be recorded).
 */
export function tooLargeToRecordResult(
  plan: Plan,
  fit: { chars: number; limit: number },
  report: string,
): CheckResult {
  const objects = plan.changeSet.changes.length;
  const summary = [
    `This pull request changes ${objects} object${objects === 1 ? "" : "s"}: the approval record binding them would need about ${fit.chars} characters, more than the ${fit.limit} a check run can hold.`,
    "",
    "Split it into smaller pull requests (about 1,000 changed objects at most each). Approvals given here could never be recorded, so this check cannot pass.",
  ].join("\n");
  const budget = REPORT_CHAR_BUDGET - summary.length - 10;
  return {
    conclusion: "failure",
    title: "too large to approve: split this pull request",
    summary: budget > 200 ? `${summary}\n\n---\n\n${report.slice(0, budget)}` : summary,
    annotations: [],
  };
}

/** The sticky PR comment: the marker that finds it again, then the masked report. */
export function commentBody(report: string): string {
  return `${COMMENT_MARKER}\n${report}`;
}
