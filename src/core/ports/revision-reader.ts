/**
 * Reads revisions of a repository: what the reconciler needs to know what a commit holds and how
 * it got there. Implemented over the GitHub API (src/github/octokit-revision-reader.ts) and over a
 * local clone (src/repo/git-revision-reader.ts); tests hand in an in-memory fake. Content is read
 * by commit or blob SHA (immutable), never by branch name; only the branch head is read by name.
 */
import type { RepoRef, TreeFile } from "./pull-request-source.js";

export type { RepoRef, TreeFile } from "./pull-request-source.js";

/** The head of a branch as read with a conditional request. */
export type BranchHead =
  /** The head is the one the ETag was taken on (a 304 on GitHub: free of rate limit). */
  { status: "unchanged"; etag: string } | { status: "read"; sha: string; etag?: string };

/** The first-parent history between two commits. */
export type FirstParentHistory =
  /** `commits`: oldest first, after `from` up to and including `to` (empty when from = to). */
  | { status: "linear"; commits: string[] }
  /** `from` is not on the first-parent line of `to` (history rewritten, or unknown commit). */
  | { status: "not-ancestor" }
  /** More commits than the reader may walk: nothing can be concluded (fail closed). */
  | { status: "too-long"; limit: number };

/** A pull request a commit belongs to, as the forge associates them (merge, squash and rebase merges). */
export interface CommitPull {
  number: number;
  /** True once merged (GitHub: `merged_at` is set). */
  merged: boolean;
  /** The branch it was merged into. */
  baseRef: string;
  /** The merge (or squash, or last rebased) commit; null when not merged. */
  mergeCommitSha: string | null;
  headSha: string;
  author: string;
}

export interface RevisionReader {
  /**
   * The head of `branch`. With `etag` (from an earlier read) the request is conditional and an
   * unchanged head answers `unchanged`.
   */
  branchHead(repo: RepoRef, branch: string, etag?: string): Promise<BranchHead>;
  /** Files under `paths` (directory prefixes or exact files; `[""]` = all) in the tree of commit `sha`. */
  listTree(repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]>;
  /** Content of a blob as UTF-8 text; cached by SHA (immutable). */
  readBlob(repo: RepoRef, blobSha: string): Promise<string>;
  /** Warms the blob cache for many blobs at once (batched where the forge allows). */
  prefetchBlobs(repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void>;
  /** The first-parent history from `from` to `to`, every page read; at most `limit` commits. */
  firstParentHistory(repo: RepoRef, from: string, to: string, limit: number): Promise<FirstParentHistory>;
  /** The pull requests a commit belongs to, every page. */
  pullsOfCommit(repo: RepoRef, sha: string): Promise<CommitPull[]>;
}
