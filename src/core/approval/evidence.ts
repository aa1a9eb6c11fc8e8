/**
 * The evidence an approval rests on, as a port (docs/approval.md "Verifying an approval"): this
 * app's check runs on a commit, the reviews, the pull request, its commits and team membership.
 * The gate and the reconciler read it through the same verifier (src/core/approval/verify.ts);
 * src/github/octokit-approval-evidence.ts implements it over the GitHub API.
 */
import type { Review } from "../model.js";
import type { CheckRunView, CommitAccounts, RepoRef } from "../ports/pull-request-source.js";

export type { CheckRunView, CommitAccounts, RepoRef } from "../ports/pull-request-source.js";

/** The facts of a pull request an approval is checked against. */
export interface EvidencePull {
  number: number;
  /** Login of the PR's author. */
  author: string;
  /** The PR's head: for a merged PR, the head it was merged at. */
  headSha: string;
  /** Tip of the base branch when GitHub last computed the PR (not the merge base). */
  baseSha: string;
  baseRef: string;
  /** `open` or `closed`. */
  state: string;
  merged: boolean;
}

/** Reads the evidence of approvals. Implementations must fail (throw) rather than return partial lists. */
export interface ApprovalEvidence {
  /**
   * This app's check runs named CHECK_RUN_NAME on commit `sha`, every page. Implementations are
   * built with this app's numeric id and never return another app's runs: anyone can create a
   * check run with the same name.
   */
  checkRuns(repo: RepoRef, sha: string): Promise<CheckRunView[]>;
  /** Every review of the PR, every page. */
  reviews(repo: RepoRef, number: number): Promise<Review[]>;
  pull(repo: RepoRef, number: number): Promise<EvidencePull>;
  /** Every commit of the PR with the accounts that authored and committed it. */
  commits(repo: RepoRef, number: number): Promise<CommitAccounts[]>;
  /** Logins of an org team's members. */
  teamMembers(org: string, slug: string): Promise<ReadonlySet<string>>;
}
