import type { ApprovalEvidence, EvidencePull } from "../core/approval/evidence.js";
import type { Review } from "../core/model.js";
import type { CheckRunView, CommitAccounts, RepoRef } from "../core/ports/pull-request-source.js";
import type { GitHubCaches } from "./github-caches.js";
import { OctokitCheckPublisher } from "./octokit-check-publisher.js";
import { OctokitPullRequestSource } from "./octokit-pull-request-source.js";
import type { GitHubClient } from "./octokit-pull-request-source.js";

/**
 * ApprovalEvidence over the GitHub REST API. Check runs are listed only for this app (its
 * numeric id is required, so a missing id cannot turn the filter off); reviews, commits and team
 * members are read as the gate reads them (same requests, same caches).
 */
export class OctokitApprovalEvidence implements ApprovalEvidence {
  readonly #source: OctokitPullRequestSource;
  readonly #checks: OctokitCheckPublisher;

  constructor(
    private readonly octokit: GitHubClient,
    caches: GitHubCaches,
    readonly appId: number,
  ) {
    if (!Number.isSafeInteger(appId) || appId <= 0) {
      throw new Error("reading approval evidence: the app id must be a positive integer");
    }
    this.#source = new OctokitPullRequestSource(octokit, caches);
    this.#checks = new OctokitCheckPublisher(octokit, caches, appId);
  }

  checkRuns(repo: RepoRef, sha: string): Promise<CheckRunView[]> {
    return this.#checks.listChecks(repo, sha);
  }

  reviews(repo: RepoRef, number: number): Promise<Review[]> {
    return this.#source.listReviews(repo, number);
  }

  async pull(repo: RepoRef, number: number): Promise<EvidencePull> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: number,
    });
    return {
      number: data.number,
      author: data.user?.login ?? "",
      headSha: data.head.sha,
      baseSha: data.base.sha,
      baseRef: data.base.ref,
      state: data.state,
      merged: data.merged === true,
    };
  }

  commits(repo: RepoRef, number: number): Promise<CommitAccounts[]> {
    return this.#source.listCommits(repo, number);
  }

  teamMembers(org: string, slug: string): Promise<ReadonlySet<string>> {
    return this.#source.teamMembers(org, slug);
  }
}
