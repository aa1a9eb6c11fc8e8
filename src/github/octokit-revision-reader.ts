import type {
  BranchHead,
  CommitPull,
  FirstParentHistory,
  RepoRef,
  RevisionReader,
  TreeFile,
} from "../core/ports/revision-reader.js";
import type { GitHubCaches } from "./github-caches.js";
import { OctokitPullRequestSource } from "./octokit-pull-request-source.js";
import type { GitHubClient } from "./octokit-pull-request-source.js";

/** Commits listed per page when walking history (GitHub's maximum). */
const PAGE = 100;

function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * RevisionReader over the GitHub API. Trees and blobs go through the gate's reader (cached by SHA,
 * GraphQL blob batches); the branch head is read with an ETag, so an unchanged head costs a 304.
 * History is walked by first parents over the commit listing (100 commits a request), not the
 * compare API, which stops at 250 commits; the walk is bounded and fails closed past its bound.
 */
export class OctokitRevisionReader implements RevisionReader {
  readonly #content: OctokitPullRequestSource;

  constructor(
    private readonly octokit: GitHubClient,
    caches: GitHubCaches,
  ) {
    this.#content = new OctokitPullRequestSource(octokit, caches);
  }

  async branchHead(repo: RepoRef, branch: string, etag?: string): Promise<BranchHead> {
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ...repo,
        ref: `heads/${branch}`,
        headers: etag === undefined ? {} : { "if-none-match": etag },
      });
      const sha = response.data.object.sha;
      if (response.data.object.type !== "commit" || !SHA.test(sha)) {
        throw new Error(`branch ${branch} does not point at a commit`);
      }
      const next = response.headers.etag;
      return typeof next === "string" ? { status: "read", sha, etag: next } : { status: "read", sha };
    } catch (error) {
      if (statusOf(error) === 304 && etag !== undefined) return { status: "unchanged", etag };
      throw new Error(`reading the head of ${repo.owner}/${repo.repo}@${branch}`, { cause: error });
    }
  }

  listTree(repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]> {
    return this.#content.listTree(repo, sha, paths);
  }

  readBlob(repo: RepoRef, blobSha: string): Promise<string> {
    return this.#content.readBlob(repo, blobSha);
  }

  prefetchBlobs(repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void> {
    return this.#content.prefetchBlobs(repo, blobs);
  }

  async firstParentHistory(
    repo: RepoRef,
    from: string,
    to: string,
    limit: number,
  ): Promise<FirstParentHistory> {
    if (from === to) return { status: "linear", commits: [] };
    const what = `walking the history of ${repo.owner}/${repo.repo} from ${from.slice(0, 12)} to ${to.slice(0, 12)}`;
    // One cheap request says whether `from` is an ancestor at all (and how far).
    let status: string;
    try {
      const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
        ...repo,
        basehead: `${from}...${to}`,
        per_page: 1,
      });
      status = data.status;
    } catch (error) {
      // An unknown base commit (history rewritten and collected): it cannot be an ancestor.
      if (statusOf(error) === 404) return { status: "not-ancestor" };
      throw new Error(what, { cause: error });
    }
    if (status === "identical") return { status: "linear", commits: [] };
    if (status !== "ahead") return { status: "not-ancestor" };
    // The listing holds merged branches' commits too: read pages until the first-parent line meets `from`.
    const parents = new Map<string, string | undefined>();
    const maxPages = Math.max(1, Math.ceil((limit * 4) / PAGE));
    let page = 0;
    let exhausted = false;
    const line: string[] = [];
    let cursor = to;
    while (cursor !== from) {
      if (line.length >= limit) return { status: "too-long", limit };
      if (!parents.has(cursor)) {
        if (exhausted) return { status: "not-ancestor" };
        if (page >= maxPages) return { status: "too-long", limit };
        page++;
        let data: { sha: string; parents: { sha: string }[] }[];
        try {
          ({ data } = await this.octokit.request("GET /repos/{owner}/{repo}/commits", {
            ...repo,
            sha: to,
            per_page: PAGE,
            page,
          }));
        } catch (error) {
          throw new Error(what, { cause: error });
        }
        for (const c of data) parents.set(c.sha, c.parents[0]?.sha);
        if (data.length < PAGE) exhausted = true;
        continue;
      }
      line.push(cursor);
      const parent = parents.get(cursor);
      if (parent === undefined) return { status: "not-ancestor" }; // a root commit: `from` never met
      cursor = parent;
    }
    return { status: "linear", commits: line.reverse() };
  }

  async pullsOfCommit(repo: RepoRef, sha: string): Promise<CommitPull[]> {
    let pulls;
    try {
      pulls = await this.octokit.paginate("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
        ...repo,
        commit_sha: sha,
        per_page: 100,
      });
    } catch (error) {
      throw new Error(`listing the pull requests of commit ${sha.slice(0, 12)}`, { cause: error });
    }
    return pulls.map((p) => ({
      number: p.number,
      merged: typeof p.merged_at === "string" && p.merged_at !== "",
      baseRef: p.base.ref,
      mergeCommitSha: p.merge_commit_sha ?? null,
      headSha: p.head.sha,
      author: p.user?.login ?? "",
    }));
  }
}
