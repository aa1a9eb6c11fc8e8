/**
 * The one approval verifier (docs/approval.md "Verifying an approval"): the gate (merge groups)
 * and the reconciler trust a PR's approval only through `verifyPullApproval`.
 */
import { describeError } from "../error-text.js";
import type { ApprovalRecord, Requirement, RiskLevel } from "../model.js";
import { approvalBindingDigest } from "./binding.js";
import type { ApprovalVerdict } from "./evaluate.js";
import type { ApprovalEvidence, CheckRunView, EvidencePull, RepoRef } from "./evidence.js";
import { readReviewFacts } from "./gather.js";
import type { ReviewerConfig } from "./gather.js";
import { decodeApprovalRecordResult } from "./record.js";
import { reverifyApprovalRecord } from "./reverify.js";

export interface VerifyPullApprovalOptions {
  repo: RepoRef;
  number: number;
  /** This app's id: a check run of any other app is never evidence (required, never a wildcard). */
  appId: number;
  /** The current requirement of a level (from the compiled policy); undefined fails closed. */
  requirementOf?: (level: RiskLevel) => Requirement | undefined;
  /** Or the compiled policy's requirements (`CompiledPolicy.requirements`). */
  requirements?: Readonly<Partial<Record<RiskLevel, Requirement>>>;
  /** Agent accounts from the repository configuration: never approvers. */
  agents: readonly string[];
  /** More eligible reviewers from the repository configuration. */
  reviewers?: ReviewerConfig["reviewers"];
  /** Accounts known to have pushed to the PR (never approvers, like committers). */
  pushers?: readonly string[];
  /** When set, the PR's head must be this commit (the caller knows which head it is about). */
  headSha?: string;
  /** The pull request when the caller has just read it; otherwise it is read. */
  pull?: EvidencePull;
}

export type PullApprovalResult =
  | {
      ok: true;
      record: ApprovalRecord;
      /** The approval rules applied to the reviews as they are now. */
      verdict: ApprovalVerdict;
      pull: EvidencePull;
      /** The check run that holds the record. */
      checkRunId: number;
    }
  | { ok: false; reason: string };

/** Thrown when the evidence could not be read; says what was being read and keeps the cause. */
export class ApprovalEvidenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(options?.cause === undefined ? message : `${message}: ${describeError(options.cause)}`, options);
    this.name = "ApprovalEvidenceError";
  }
}

function short(sha: string): string {
  return sha.slice(0, 7).replace(/[^0-9a-fA-F]/g, "?");
}

/**
 * The newest check run of this app on `headSha`: it speaks for the head. An older success (and
 * its record) was superseded when a later evaluation found a request for changes, a dismissed
 * approval or other content. GitHub's run ids grow with creation.
 */
export function newestRunOf(
  runs: readonly CheckRunView[],
  headSha: string,
  appId: number,
): CheckRunView | undefined {
  return runs
    .filter((c) => c.headSha === headSha && c.appId === appId)
    .reduce<CheckRunView | undefined>((a, c) => (a === undefined || c.id > a.id ? c : a), undefined);
}

async function read<T>(what: string, reading: () => Promise<T>): Promise<T> {
  try {
    return await reading();
  } catch (error) {
    throw new ApprovalEvidenceError(what, { cause: error });
  }
}

function unsatisfiedReason(verdict: ApprovalVerdict): string {
  if (verdict.blocking.length > 0) {
    const who = verdict.blocking.map((b) => b.login).join(", ");
    return `changes are requested by ${who}`;
  }
  return `${verdict.approvers.length} of ${verdict.needed} approvals still count on the recorded content`;
}

/**
 * Verifies the approval of PR `number` as it stands now: the newest completed check run of this
 * app on the PR's head carries an approval record (a schema this version knows), the record names
 * this repository, PR and head, and the approval rules applied to the reviews as they are now
 * (recorded approvers still eligible, their reviews not dismissed, no eligible request for
 * changes) still satisfy the current requirement of the record's level. Anything else gives
 * `{ ok: false, reason }` (fail closed). Throws ApprovalEvidenceError when the evidence cannot be
 * read; it never treats a failed read as an answer.
 */
export async function verifyPullApproval(
  evidence: ApprovalEvidence,
  options: VerifyPullApprovalOptions,
): Promise<PullApprovalResult> {
  const { repo, number, appId } = options;
  const fail = (reason: string): PullApprovalResult => ({
    ok: false,
    reason: `${repo.owner}/${repo.repo}#${number}: ${reason}`,
  });
  if (!Number.isSafeInteger(appId) || appId <= 0)
    return fail("no valid app id to recognise this app's check runs");
  const where = `verifying the approval of ${repo.owner}/${repo.repo}#${number}`;
  const pull =
    options.pull ?? (await read(`${where}: reading the pull request`, () => evidence.pull(repo, number)));
  if (pull.number !== number) return fail(`the pull request read is #${pull.number}`);
  if (options.headSha !== undefined && pull.headSha !== options.headSha) {
    return fail(`its head is ${short(pull.headSha)}, not ${short(options.headSha)}`);
  }
  const runs = await read(`${where}: listing the check runs of ${short(pull.headSha)}`, () =>
    evidence.checkRuns(repo, pull.headSha),
  );
  const newest = newestRunOf(runs, pull.headSha, appId);
  if (newest === undefined) return fail(`no check run of this app on its head ${short(pull.headSha)}`);
  if (newest.status !== "completed") {
    return fail(`the newest check run (${newest.id}) on its head is ${newest.status}, not completed`);
  }
  if (newest.conclusion !== "success") {
    return fail(
      `the newest check run (${newest.id}) on its head concluded ${newest.conclusion ?? "nothing"}: it speaks for the head`,
    );
  }
  if (newest.outputText === null)
    return fail(`the newest check run (${newest.id}) carries no approval record`);
  const decoded = decodeApprovalRecordResult(newest.outputText);
  if (!decoded.ok) return fail(`check run ${newest.id}: ${decoded.error}`);
  const { record } = decoded;
  if (record.repository.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) {
    return fail(`check run ${newest.id} holds a record of another repository`);
  }
  if (record.pullRequest !== number) {
    return fail(`check run ${newest.id} holds a record of another pull request (#${record.pullRequest})`);
  }
  if (record.headSha !== pull.headSha) {
    return fail(`check run ${newest.id} holds a record of another head (${short(record.headSha)})`);
  }
  if (record.author.toLowerCase() !== pull.author.toLowerCase()) {
    return fail(`check run ${newest.id} holds a record naming another author (${record.author})`);
  }
  // The run's external id is the binding digest of what it evaluated: the record must agree.
  if (newest.externalId !== approvalBindingDigest(record.changeSetDigest, record.protectedFiles)) {
    return fail(`check run ${newest.id}: its external id does not match the record's content`);
  }
  const requirement = options.requirementOf?.(record.level) ?? options.requirements?.[record.level];
  if (requirement === undefined) return fail(`the policy has no requirement for level ${record.level}`);
  const config: ReviewerConfig = {
    agents: options.agents,
    reviewers: options.reviewers ?? { users: [], teams: [] },
  };
  const facts = await read(`${where}: reading its reviews, commits and teams`, () =>
    readReviewFacts(evidence, repo, number, requirement, config, options.pushers),
  );
  const verdict = reverifyApprovalRecord(record, {
    requirement,
    reviews: facts.reviews,
    author: pull.author,
    committers: facts.committers,
    agents: [...config.agents],
    extraReviewers: { users: [...config.reviewers.users], teams: [...config.reviewers.teams] },
    teamMembers: facts.teamMembers,
  });
  if (!verdict.satisfied) return fail(`the approval no longer holds: ${unsatisfiedReason(verdict)}`);
  return { ok: true, record, verdict, pull, checkRunId: newest.id };
}
