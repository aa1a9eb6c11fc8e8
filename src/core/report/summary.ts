/** The one-line summary at the top of a report and the ordering of risk levels. */
import type { Plan, Requirement, RiskLevel } from "../model.js";
import { RISK_LEVELS } from "../model.js";
import { code, escapeInline } from "./escape.js";

/** Rank of a level; an unknown level ranks above critical (fail closed: shown first, cut last). */
export function levelRank(level: string): number {
  const i = (RISK_LEVELS as readonly string[]).indexOf(level);
  return i < 0 ? RISK_LEVELS.length : i;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `needs 2 approvals from <code>@org/sre</code> or <code>@alice</code>`; names in code so nobody is pinged. */
export function requirementText(requirement: Requirement): string {
  if (requirement.auto || requirement.approvals === 0) return "auto-approved (no approval needed)";
  const who = [...requirement.teams.map((t) => `@${t}`), ...requirement.users.map((u) => `@${u}`)].map(code);
  const from = who.length === 0 ? "" : ` from ${who.join(" or ")}`;
  return `needs ${plural(requirement.approvals, "approval")}${from}`;
}

/** `**high risk** · 12 changes (3 create, 8 update, 1 delete), 40 unchanged · needs 2 approvals from …`. */
export function summaryLine(plan: Plan): string {
  const counts = { create: 0, update: 0, delete: 0 };
  for (const { change } of plan.classification.changes) counts[change.op]++;
  const total = plan.classification.changes.length;
  const level: RiskLevel = plan.classification.level;
  const parts = [`**${escapeInline(level)} risk**`];
  if (total === 0) parts.push(`no changes, ${plan.changeSet.unchanged} unchanged`);
  else {
    parts.push(
      `${plural(total, "change")} (${counts.create} create, ${counts.update} update, ${counts.delete} delete), ` +
        `${plan.changeSet.unchanged} unchanged`,
    );
  }
  // A PR with no object changes still needs approval when it is risky as a whole (it changes the
  // countersign configuration, say).
  if (total > 0 || (plan.classification.pullRequestFindings ?? []).length > 0)
    parts.push(requirementText(plan.classification.requirement));
  if (plan.errors.length > 0) parts.push(`**${plural(plan.errors.length, "error")}**`);
  if (plan.skipped.length > 0) parts.push(`${plural(plan.skipped.length, "skipped document")}`);
  return parts.join(" · ");
}
