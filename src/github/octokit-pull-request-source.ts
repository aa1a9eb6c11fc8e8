import type {
  CommitAccounts,
  PullRequestInfo,
  PullRequestSource,
  RepoRef,
  TreeFile,
} from "../core/ports/pull-request-source.js";
import type { Review } from "../core/model.js";
import { GitHubBlobReader } from "./blob-reader.js";
import { gitHubStatus } from "../clients/github-error.js";
import type { GitHubCaches } from "./github-caches.js";

import type { GitHubClient } from "../clients/github.js";

/** Octokit as Probot hands it to handlers (retry and throttling configured by src/clients/github.ts). */
export type { GitHubClient };

/** GitHub's cap on the commits it lists for one pull request (REST and GraphQL alike). */
const MAX_PULL_COMMITS = 250;

const REVIEW_STATES = new Set<Review["state"]>([
  "APPROVED",
  "CHANGES_REQUESTED",
  "COMMENTED",
  "DISMISSED",
  "PENDING",
]);

/** True when `file` is one of `paths` or lies below one of them (paths are repository-relative). */
export function underPaths(file: string, paths: readonly string[]): boolean {
  return paths.some((p) => {
    const dir = p.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    return dir === "" || file === dir || file.startsWith(`${dir}/`);
  });
}

/**
 * PullRequestSource over the GitHub REST API. Trees and blobs are read by SHA and cached by SHA;
 * default-branch files use ETags so an unchanged file costs a 304 (free of rate limit).
 */
export class OctokitPullRequestSource implements PullRequestSource {
  readonly #blobs: GitHubBlobReader;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly caches: GitHubCaches,
  ) {
    this.#blobs = new GitHubBlobReader(octokit, caches);
  }

  async getPull(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: number,
    });
    return {
      number: data.number,
      headSha: data.head.sha,
      baseSha: data.base.sha,
      baseRef: data.base.ref,
      author: data.user?.login ?? "",
      draft: data.draft === true,
      state: data.state,
    };
  }

  async listReviews(repo: RepoRef, number: number): Promise<Review[]> {
    const reviews = await this.octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      ...repo,
      pull_number: number,
      per_page: 100,
    });
    return reviews.flatMap((r): Review[] => {
      const state = r.state as Review["state"];
      if (!REVIEW_STATES.has(state) || r.user === null || r.user === undefined) return [];
      return [
        {
          id: r.id,
          login: r.user.login,
          state,
          commitId: r.commit_id ?? "",
          submittedAt: r.submitted_at ?? "",
          isBot: r.user.type === "Bot",
          association: r.author_association,
        },
      ];
    });
  }

  async listCommits(repo: RepoRef, number: number): Promise<CommitAccounts[]> {
    const commits = await this.octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      ...repo,
      pull_number: number,
      per_page: 100,
    });
    // GitHub lists at most 250 commits of a PR: an account behind the later ones would go unseen
    // and could approve its own work. Fail closed rather than judge on a partial list.
    if (commits.length >= MAX_PULL_COMMITS) {
      throw new Error(
        `listing the commits of #${number}: GitHub lists only the first ${MAX_PULL_COMMITS}, so the accounts that committed cannot all be known; split the pull request`,
      );
    }
    return commits.map((c) => {
      const accounts: CommitAccounts = { sha: c.sha };
      if (c.author?.login) accounts.author = c.author.login;
      if (c.committer?.login) accounts.committer = c.committer.login;
      return accounts;
    });
  }

  async mergeBase(repo: RepoRef, base: string, head: string): Promise<string> {
    const key = `${repo.owner}/${repo.repo}@${base}...${head}`;
    const cached = this.caches.mergeBases.get(key);
    if (cached !== undefined) return cached;
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...repo,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    const sha = data.merge_base_commit.sha;
    this.caches.mergeBases.set(key, sha);
    return sha;
  }

  async listTree(repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]> {
    const key = `${repo.owner}/${repo.repo}@${sha}`;
    let files = this.caches.trees.get(key);
    if (files === undefined) {
      const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
        ...repo,
        tree_sha: sha,
        recursive: "1",
      });
      // A truncated tree would silently hide files: fail closed rather than approve a partial view.
      if (data.truncated) {
        throw new Error(`reading the tree of ${sha.slice(0, 7)}: GitHub truncated it (too many files)`);
      }
      files = data.tree.flatMap((e) =>
        e.type === "blob" && e.path !== undefined && e.sha !== undefined
          ? [{ path: e.path, blobSha: e.sha, size: e.size ?? 0 }]
          : [],
      );
      this.caches.trees.set(key, files);
    }
    return files.filter((f) => underPaths(f.path, paths));
  }

  readBlob(repo: RepoRef, blobSha: string): Promise<string> {
    return this.#blobs.readBlob(repo, blobSha);
  }

  prefetchBlobs(repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void> {
    return this.#blobs.prefetchBlobs(repo, blobs);
  }

  async readFileAtDefaultBranch(repo: RepoRef, path: string): Promise<string | undefined> {
    const key = `${repo.owner}/${repo.repo}:${path}`;
    const cached = this.caches.defaultBranchFiles.get(key);
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...repo,
        path,
        headers: cached === undefined ? {} : { "if-none-match": cached.etag },
      });
      const data = response.data;
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) {
        throw new Error(`reading ${path} on the default branch: it is not a file`);
      }
      const content = Buffer.from(data.content, "base64").toString("utf8");
      const etag = response.headers.etag;
      if (typeof etag === "string") this.caches.defaultBranchFiles.set(key, { etag, content });
      return content;
    } catch (error) {
      const status = gitHubStatus(error);
      if (status === 304 && cached !== undefined) return cached.content;
      if (status === 404) return undefined;
      throw new Error(`reading ${path} on the default branch of ${repo.owner}/${repo.repo}`, {
        cause: error,
      });
    }
  }

  async readFilesAtDefaultBranch(repo: RepoRef, path: string): Promise<{ path: string; content: string }[]> {
    let listing;
    try {
      listing = (await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...repo, path }))
        .data;
    } catch (error) {
      if (gitHubStatus(error) === 404) return [];
      throw new Error(`listing ${path} on the default branch of ${repo.owner}/${repo.repo}`, {
        cause: error,
      });
    }
    if (!Array.isArray(listing)) {
      if (listing.type !== "file" || !("content" in listing)) return [];
      return [{ path, content: Buffer.from(listing.content, "base64").toString("utf8") }];
    }
    const files = listing.filter((e) => e.type === "file" && /\.ya?ml$/i.test(e.name)).map((e) => e.path);
    const out: { path: string; content: string }[] = [];
    for (const file of files.sort()) {
      const content = await this.readFileAtDefaultBranch(repo, file);
      if (content !== undefined) out.push({ path: file, content });
    }
    return out;
  }

  async teamMembers(org: string, slug: string): Promise<ReadonlySet<string>> {
    const key = `${org}/${slug}`.toLowerCase();
    const cached = this.caches.teams.get(key);
    if (cached !== undefined) return cached;
    try {
      const members = await this.octokit.paginate("GET /orgs/{org}/teams/{team_slug}/members", {
        org,
        team_slug: slug,
        per_page: 100,
      });
      const logins: ReadonlySet<string> = new Set(members.flatMap((m) => (m ? [m.login.toLowerCase()] : [])));
      this.caches.teams.set(key, logins);
      return logins;
    } catch (error) {
      // An unknown team has no members: its approvals cannot count (fail closed), and the verdict says so.
      if (gitHubStatus(error) === 404) return new Set();
      throw new Error(`listing the members of team ${org}/${slug}`, { cause: error });
    }
  }

  async pullsForCommit(repo: RepoRef, sha: string): Promise<number[]> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
      ...repo,
      commit_sha: sha,
      per_page: 100,
    });
    return data.map((p) => p.number);
  }

  async commitsBetween(repo: RepoRef, base: string, head: string): Promise<string[]> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...repo,
      basehead: `${base}...${head}`,
      per_page: 250,
    });
    return data.commits.map((c) => c.sha);
  }
}
