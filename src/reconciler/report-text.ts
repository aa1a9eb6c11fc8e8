/**
 * What people read about a pass: the commit status description (140 characters at most), the
 * sticky comment on each applied pull request, and the refusal comment. Every text passes through
 * the masker before it leaves (object names and server messages can carry anything).
 */
import type { Masker } from "../core/mask/types.js";
import type { UncoveredObject } from "../core/reconcile/authorize.js";
import type { ObjectResult } from "./apply.js";

/** Commit status context of the reconciler (load-bearing: branch protection can require it). */
export const STATUS_CONTEXT = "countersign/apply";
/** GitHub's limit on a commit status description. */
const STATUS_CHARS = 140;
/** Objects listed in a comment; the rest are counted. */
const LISTED = 50;

/** Marker of the sticky apply comment of one cluster on a pull request. */
export function applyCommentMarker(cluster: string): string {
  return `<!-- countersign:apply:${cluster} -->`;
}

export function statusText(masker: Masker, text: string): string {
  const masked = masker.maskText(text).replace(/\s+/g, " ");
  return masked.length > STATUS_CHARS ? `${masked.slice(0, STATUS_CHARS - 1)}…` : masked;
}

const OUTCOMES = ["configured", "created", "deleted", "unchanged", "skipped", "failed"] as const;

/** "3 configured, 1 created, 0 failed" (zero counts left out except failed). */
export function outcomeCounts(results: readonly Pick<ObjectResult, "outcome">[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return OUTCOMES.filter((o) => o === "failed" || (counts.get(o) ?? 0) > 0)
    .map((o) => `${counts.get(o) ?? 0} ${o}`)
    .join(", ");
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** The sticky comment on an applied pull request. */
export function appliedComment(
  masker: Masker,
  args: { cluster: string; sha: string; results: readonly ObjectResult[]; auditId: string; message?: string },
): string {
  const lines = [
    applyCommentMarker(args.cluster),
    `**countersign** applied to ${code(args.cluster)} at ${code(args.sha.slice(0, 12))}: ${outcomeCounts(args.results)}.`,
    "",
    `Audit record: ${code(args.auditId)}`,
  ];
  const failed = args.results.filter((r) => r.outcome === "failed" || r.outcome === "skipped");
  if (failed.length > 0) {
    lines.push("", "Not applied:");
    for (const r of failed.slice(0, LISTED))
      lines.push(`- ${code(r.key)}: ${r.outcome}${r.message ? `: ${r.message}` : ""}`);
    if (failed.length > LISTED) lines.push(`- … and ${failed.length - LISTED} more`);
  }
  if (args.message !== undefined) lines.push("", args.message);
  return masker.maskText(lines.join("\n"));
}

/** Names the group that last touched an object. */
export function groupName(u: Pick<UncoveredObject, "pullRequest" | "commit">): string {
  if (u.pullRequest !== undefined) return `#${u.pullRequest}`;
  if (u.commit !== undefined) return `direct push ${u.commit.slice(0, 7)}`;
  return "no commit in the window";
}

/** The comment on each pull request and direct-push commit involved in a refusal. */
export function refusalComment(
  masker: Masker,
  args: { cluster: string; sha: string; uncovered: readonly UncoveredObject[]; reason?: string },
): string {
  const lines = [
    applyCommentMarker(args.cluster),
    `**countersign** refused to apply ${code(args.sha.slice(0, 12))} to ${code(args.cluster)}: nothing was applied.`,
  ];
  if (args.reason !== undefined) lines.push("", args.reason);
  if (args.uncovered.length > 0) {
    lines.push("", "Content no valid approval covers:");
    for (const u of args.uncovered.slice(0, LISTED))
      lines.push(`- ${code(u.key)} (last changed by ${groupName(u)}): ${u.reason}`);
    if (args.uncovered.length > LISTED) lines.push(`- … and ${args.uncovered.length - LISTED} more`);
  }
  lines.push("", "Reverting the offending change through an approved pull request unblocks the rest.");
  return masker.maskText(lines.join("\n"));
}
