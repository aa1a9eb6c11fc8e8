/**
 * The machine-readable plan report (`countersign plan --output json`): the JSON shape of issue 2,
 * plus identity fields, counts, digests and the masked field deltas. Every text goes through the masker.
 */
import type { Masker } from "../mask/types.js";
import type { FieldDelta, Finding, Operation, Plan, PlanSide, RiskLevel } from "../model.js";
import { maskedDeltas } from "./object-diff.js";

export interface PlanReportFinding {
  rule: string;
  level: RiskLevel;
  reason: string;
  path?: string;
  /** Set when the rule's expression failed and the rule counted as matched (fail closed). */
  error?: string;
}

export interface PlanReportChange {
  key: string;
  op: Operation;
  level: RiskLevel;
  findings: PlanReportFinding[];
  /** Changed field paths (empty for create/delete). */
  fields: string[];
  group: string;
  kind: string;
  namespace: string;
  name: string;
  /** Manifest file of the object (after for create/update, before for delete). */
  file?: string;
  line?: number;
  /** Content digest of the object after the change (absent for deletions). */
  afterDigest?: string;
  /** Field deltas with masked before/after values (empty for create/delete). */
  deltas: FieldDelta[];
}

export interface PlanReport {
  level: RiskLevel;
  requirement: { approvals: number; teams: string[]; users: string[]; auto: boolean };
  changes: PlanReportChange[];
  /** Findings about the PR as a whole (e.g. it changes countersign's configuration or policy). */
  pullRequestFindings: PlanReportFinding[];
  changeSetDigest: string;
  policyDigest: string;
  /** Number of objects identical on both sides. */
  unchanged: number;
  counts: { create: number; update: number; delete: number };
  skipped: { file: string; line: number; reason: string; side?: PlanSide }[];
  errors: { file: string; line: number | null; column?: number; message: string; side?: PlanSide }[];
}

/** Builds the JSON report of a plan; serialise it with `JSON.stringify(report, null, 2)`. */
export function renderJson(plan: Plan, options: { masker: Masker }): PlanReport {
  const { masker } = options;
  const text = (s: string): string => masker.maskText(s);
  const reportFinding = (f: Finding): PlanReportFinding => {
    const finding: PlanReportFinding = { rule: f.rule, level: f.level, reason: text(f.reason) };
    if (f.path !== undefined) finding.path = text(f.path);
    if (f.error !== undefined) finding.error = text(f.error);
    return finding;
  };
  const { classification, changeSet } = plan;
  const counts = { create: 0, update: 0, delete: 0 };
  const changes = classification.changes.map(({ change, level, findings }): PlanReportChange => {
    counts[change.op]++;
    const source = (change.after ?? change.before)?.source;
    // Identities are masked too: the parser accepts any name without `/` or whitespace, so a name
    // can hold a credential shape (`AKIA…`) even though the API server would refuse it. maskText
    // leaves every ordinary name unchanged.
    const out: PlanReportChange = {
      key: text(change.key),
      op: change.op,
      level,
      findings: findings.map(reportFinding),
      fields: change.fields.map(text),
      group: text(change.group),
      kind: text(change.kind),
      namespace: text(change.namespace),
      name: text(change.name),
      deltas: maskedDeltas(change, masker),
    };
    if (source !== undefined) {
      out.file = text(source.file);
      out.line = source.line;
    }
    if (change.after !== undefined && change.op !== "delete") out.afterDigest = change.after.digest;
    return out;
  });
  const { requirement } = classification;
  return {
    level: classification.level,
    requirement: {
      approvals: requirement.approvals,
      teams: [...requirement.teams],
      users: [...requirement.users],
      auto: requirement.auto,
    },
    changes,
    pullRequestFindings: (classification.pullRequestFindings ?? []).map(reportFinding),
    changeSetDigest: changeSet.digest,
    policyDigest: classification.policyDigest,
    unchanged: changeSet.unchanged,
    counts,
    skipped: plan.skipped.map((s) => ({
      file: text(s.file),
      line: s.line,
      reason: text(s.reason),
      ...(s.side === undefined ? {} : { side: s.side }),
    })),
    errors: plan.errors.map((e) => {
      const error: PlanReport["errors"][number] = {
        file: text(e.file),
        line: e.line ?? null,
        message: text(e.message),
      };
      if (e.column !== undefined) error.column = e.column;
      if (e.side !== undefined) error.side = e.side;
      return error;
    }),
  };
}
