import type { ApprovalRecord } from "../model.js";
import { evaluateApproval } from "./evaluate.js";
import type { ApprovalInput, ApprovalVerdict } from "./evaluate.js";

/** The reviews and eligibility as re-read now; the content is the record's. */
export type ReverifyInput = Omit<ApprovalInput, "currentDigest" | "digestAt">;

/**
 * Re-check an approval record against the reviews as they are now (docs/approval.md: the reconciler
 * re-reads the reviews before it trusts a record). The approval rules are applied with the record's
 * change set as the current content; a commit is known to hold that content when a review the
 * record names was submitted on it. So a dismissed or replaced recorded review, an approver no
 * longer eligible, or an eligible reviewer now requesting changes makes the verdict unsatisfied.
 * `input.requirement` should be the current requirement of `record.level`.
 */
export function reverifyApprovalRecord(record: ApprovalRecord, input: ReverifyInput): ApprovalVerdict {
  const recordedIds = new Set(record.approvers.map((a) => a.reviewId));
  const recordedCommits = new Set(input.reviews.filter((r) => recordedIds.has(r.id)).map((r) => r.commitId));
  return evaluateApproval({
    ...input,
    currentDigest: record.changeSetDigest,
    digestAt: (sha) => (recordedCommits.has(sha) ? record.changeSetDigest : undefined),
  });
}
