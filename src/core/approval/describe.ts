import type { RiskLevel } from "../model.js";
import type { ApprovalVerdict, IgnoreReason } from "./evaluate.js";

/** What the check run shows for a verdict. */
export interface VerdictDescription {
  conclusion: "success" | "action_required" | "failure";
  /** Plain text (check-run titles are not rendered as markdown): `@org/sre` reads naturally and notifies nobody. */
  title: string;
  /** Markdown; every login and team is in a code span, so no one is @-mentioned or pinged. */
  summary: string;
}

/** At most this many names are spelt out in a title; the rest become "and N more". */
const TITLE_NAMES = 3;
/** At most this many reviews are listed per section of the summary, which keeps it far below GitHub's limit. */
const SUMMARY_ITEMS = 50;

const REASON_TEXT: Record<IgnoreReason, string> = {
  author: "PR author",
  committer: "committer",
  agent: "agent",
  bot: "bot",
  "not-eligible": "not eligible",
  "stale-content": "stale content",
  dismissed: "dismissed",
};

/** Keep only characters that GitHub logins, team slugs and bot names use; anything else becomes `?`. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.\-/[\]]/g, "?");
  return cleaned.length > 100 ? `${cleaned.slice(0, 100)}…` : cleaned;
}

/** A timestamp as shown: only the characters of ISO-8601 survive. */
function time(value: string): string {
  return value.replace(/[^0-9A-Za-z:.+-]/g, "?").slice(0, 40);
}

function nameList(names: string[]): string {
  const shown = names.slice(0, TITLE_NAMES).join(", ");
  return names.length > TITLE_NAMES ? `${shown} and ${names.length - TITLE_NAMES} more` : shown;
}

/** A login or team in markdown: a code span, so GitHub does not turn it into a mention. */
function code(name: string): string {
  return `\`@${safeName(name)}\``;
}

function whoCanApprove(verdict: ApprovalVerdict): string[] {
  return [...verdict.requirement.teams, ...verdict.requirement.users].map((n) => `@${safeName(n)}`);
}

function titleFor(level: RiskLevel, verdict: ApprovalVerdict): string {
  if (verdict.blocking.length > 0) {
    return `changes requested by ${nameList(verdict.blocking.map((b) => `@${safeName(b.login)}`))}`;
  }
  if (verdict.auto) return `${level} risk · auto-approved`;
  if (verdict.satisfied) {
    if (verdict.approvers.length === 0) return `${level} risk · no approval required`;
    return `${level} risk · approved by ${nameList(verdict.approvers.map((a) => `@${safeName(a.login)}`))}`;
  }
  const from = verdict.byAssociation ? "a repository member" : nameList(whoCanApprove(verdict));
  const noun = verdict.needed === 1 ? "approval" : "approvals";
  return `${level} risk · ${verdict.approvers.length} of ${verdict.needed} ${noun} from ${from}`;
}

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, SUMMARY_ITEMS).map(line);
  if (items.length > SUMMARY_ITEMS) lines.push(`- … and ${items.length - SUMMARY_ITEMS} more`);
  return lines;
}

function summaryFor(level: RiskLevel, verdict: ApprovalVerdict): string {
  const lines: string[] = [];
  const req = verdict.requirement;
  if (verdict.auto) {
    lines.push(`**${level} risk**: auto-approved, no approval required.`);
  } else {
    const who: string[] = [...req.teams.map((t) => `members of ${code(t)}`), ...req.users.map(code)];
    const from = verdict.byAssociation
      ? "owners, members or collaborators of the repository"
      : who.join(", ");
    lines.push(
      `**${level} risk**: needs ${verdict.needed} approval${verdict.needed === 1 ? "" : "s"} from ${from}.`,
    );
    lines.push(`Approvals on the current content: ${verdict.approvers.length} of ${verdict.needed}.`);
  }
  if (verdict.blocking.length > 0) {
    lines.push("", "**Changes requested** (blocks until they approve or the review is dismissed):");
    lines.push(
      ...listed(verdict.blocking, (b) => `- ${code(b.login)} (review ${b.reviewId}, ${time(b.submittedAt)})`),
    );
  }
  if (verdict.approvers.length > 0) {
    lines.push("", "**Counted approvals:**");
    lines.push(
      ...listed(
        verdict.approvers,
        (a) => `- ${code(a.login)} (review ${a.reviewId}, ${time(a.submittedAt)})`,
      ),
    );
  }
  if (verdict.ignored.length > 0) {
    lines.push("", "**Reviews that do not count:**");
    lines.push(
      ...listed(
        verdict.ignored,
        (r) => `- ${code(r.login)}: ${REASON_TEXT[r.reason]}: ${r.detail} (review ${r.reviewId})`,
      ),
    );
  }
  lines.push(
    "",
    "Approvals bind to content: a review counts when it was submitted on a head whose change set equals the current one.",
  );
  return lines.join("\n");
}

/** Title, summary and conclusion of the `countersign` check run for a verdict. */
export function describeVerdict(level: RiskLevel, verdict: ApprovalVerdict): VerdictDescription {
  const conclusion =
    verdict.blocking.length > 0 ? "failure" : verdict.satisfied ? "success" : "action_required";
  return { conclusion, title: titleFor(level, verdict), summary: summaryFor(level, verdict) };
}
