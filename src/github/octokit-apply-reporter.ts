/**
 * ApplyReporter over the GitHub API: the reconciler's commit status, its sticky comment per pull
 * request and cluster (found by marker, and only among this app's own comments: anyone can paste
 * a marker), and comments on direct-push commits.
 */
import type { RepoRef } from "../core/ports/revision-reader.js";
import type { ApplyReporter, StatusState } from "../reconciler/ports.js";
import { findOwnComment, fitGitHubText, writeComment } from "./octokit-check-publisher.js";
import type { GitHubClient } from "./octokit-pull-request-source.js";

/** GitHub's limit on a commit status description. */
const STATUS_CHARS = 140;

export class OctokitApplyReporter implements ApplyReporter {
  /** `owner/repo#pr marker` -> comment id. */
  readonly #ids = new Map<string, number>();

  constructor(
    private readonly octokit: GitHubClient,
    private readonly appId: number,
  ) {}

  async setStatus(
    repo: RepoRef,
    sha: string,
    context: string,
    state: StatusState,
    description: string,
  ): Promise<void> {
    await this.octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
      ...repo,
      sha,
      state,
      context,
      description:
        description.length > STATUS_CHARS ? `${description.slice(0, STATUS_CHARS - 1)}…` : description,
    });
  }

  async upsertPullComment(repo: RepoRef, pullRequest: number, marker: string, body: string): Promise<void> {
    const key = `${repo.owner}/${repo.repo}#${pullRequest} ${marker}`;
    const text = fitGitHubText(body.includes(marker) ? body : `${marker}\n${body}`, 65_536);
    const known = this.#ids.get(key) ?? (await this.find(repo, pullRequest, marker));
    this.#ids.set(key, await writeComment(this.octokit, repo, pullRequest, known, text));
  }

  async commentOnCommit(repo: RepoRef, sha: string, body: string): Promise<void> {
    await this.octokit.request("POST /repos/{owner}/{repo}/commits/{commit_sha}/comments", {
      ...repo,
      commit_sha: sha,
      body: fitGitHubText(body, 65_536),
    });
  }

  private async find(repo: RepoRef, pullRequest: number, marker: string): Promise<number | undefined> {
    return findOwnComment(this.octokit, this.appId, repo, pullRequest, marker);
  }
}
