/**
 * What the reconciler needs besides the revision reader and the cluster ports: verified approvals
 * and a place to report. Small on purpose, so tests hand in fakes (test/reconciler/fakes/).
 */
import type { AuditLog } from "../audit/audit-log.js";
import type { PullApproval } from "../core/reconcile/authorize.js";
import type { RepoRef } from "../core/ports/revision-reader.js";

export type { PullApproval } from "../core/reconcile/authorize.js";

/** A pull request's approval, verified now: this app's newest record on its head, reviews re-read. */
export interface PullApprovals {
  verify(repo: RepoRef, pullRequest: number): Promise<PullApproval>;
}

/** Commit status state (GitHub's). */
export type StatusState = "success" | "failure" | "pending" | "error";

/** Where the reconciler reports: the commit status on D, sticky PR comments, direct-push commit comments. */
export interface ApplyReporter {
  /** Sets the status `context` on `sha`; `description` is cut to GitHub's 140 characters. */
  setStatus(
    repo: RepoRef,
    sha: string,
    context: string,
    state: StatusState,
    description: string,
  ): Promise<void>;
  /** Creates, or updates in place, the comment holding `marker` on a pull request. */
  upsertPullComment(repo: RepoRef, pullRequest: number, marker: string, body: string): Promise<void>;
  /** Comments on a commit (a direct push has no pull request to comment on). */
  commentOnCommit(repo: RepoRef, sha: string, body: string): Promise<void>;
}

/** The AuditLog calls the reconciler makes (src/audit/audit-log.ts). */
export type ReconcilerAudit = Pick<
  AuditLog,
  "appendIntent" | "appendResult" | "appendRefusal" | "appendBaseline" | "appendDrift" | "flushSpool"
>;

/** The pino subset the reconciler logs through (callers mask what they log; the logger masks again). */
export interface ReconcilerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
