/**
 * Minimal plan renderers used by `countersign plan` until the report renderers
 * (src/core/report/) land. They print no field values at all, so nothing can leak unmasked.
 */
import type { Plan } from "../core/model.js";

export function planToJson(plan: Plan): unknown {
  const { classification, changeSet } = plan;
  return {
    level: classification.level,
    requirement: {
      approvals: classification.requirement.approvals,
      teams: classification.requirement.teams,
      users: classification.requirement.users,
    },
    changes: classification.changes.map((c) => ({
      key: c.change.key,
      op: c.change.op,
      level: c.level,
      findings: c.findings,
      fields: c.change.fields,
    })),
    unchanged: changeSet.unchanged,
    changeSetDigest: changeSet.digest,
    policyDigest: classification.policyDigest,
    skipped: plan.skipped,
    errors: plan.errors,
  };
}

export function planToMarkdown(plan: Plan): string {
  const { classification, changeSet } = plan;
  const req = classification.requirement;
  const lines = [
    `## countersign plan: ${classification.level}`,
    "",
    `${changeSet.changes.length} change(s), ${changeSet.unchanged} unchanged. ` +
      (req.auto
        ? "Auto-approved."
        : `Needs ${req.approvals} approval(s)${[...req.teams, ...req.users].length ? ` from ${[...req.teams, ...req.users].join(", ")}` : ""}.`),
    "",
  ];
  if (classification.changes.length > 0) {
    lines.push("| risk | op | object | fields | why |", "|---|---|---|---|---|");
    for (const c of classification.changes) {
      const why = c.findings.map((f) => f.reason).join("; ");
      lines.push(
        `| ${c.level} | ${c.change.op} | \`${c.change.key}\` | ${c.change.fields.map((f) => `\`${f}\``).join(", ")} | ${why} |`,
      );
    }
    lines.push("");
  }
  for (const e of plan.errors) lines.push(`- error: ${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}`);
  for (const s of plan.skipped) lines.push(`- skipped: ${s.file}:${s.line}: ${s.reason}`);
  lines.push("", `change-set digest \`${changeSet.digest}\``);
  return `${lines.join("\n")}\n`;
}
