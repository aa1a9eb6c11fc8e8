/**
 * What the gate needs from GitHub, named for its role (docs/architecture.md: small ports owned by the core).
 * Implemented by src/github/octokit-pull-request-source.ts; tests hand in nock-backed adapters.
 * Every read of content is by commit or blob SHA (immutable), never by branch name.
 */
import type { Review } from "../model.js";

/** A repository on the forge. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** The facts of a pull request the gate evaluates. */
export interface PullRequestInfo {
  number: number;
  headSha: string;
  /** Tip of the base branch when GitHub last computed the PR (not the merge base). */
  baseSha: string;
  baseRef: string;
  author: string;
  draft: boolean;
  state: string;
}

/** One file of a Git tree. */
export interface TreeFile {
  path: string;
  blobSha: string;
  size: number;
}

/** Logins that authored or committed a commit of the PR. */
export interface CommitAccounts {
  sha: string;
  author?: string;
  committer?: string;
}

/** A check-run annotation (GitHub's shape). */
export interface CheckAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required" | "cancelled";

/** The completed state of a check run. */
export interface CheckResult {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
  /** Stored in the check run's `external_id`: the head's change-set digest. */
  externalId?: string;
}

/** One of this app's check runs, as listed for a ref. */
export interface CheckRunView {
  id: number;
  headSha: string;
  status: string;
  conclusion: string | null;
  externalId: string | null;
  outputText: string | null;
  appId: number | null;
  /** When the run started (ISO 8601), as the app set it; absent when unknown. */
  startedAt?: string | null;
}

/** Reads a pull request and the repository's content by SHA. */
export interface PullRequestSource {
  getPull(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** All reviews, every page. */
  listReviews(repo: RepoRef, number: number): Promise<Review[]>;
  /** All commits of the PR, every page. */
  listCommits(repo: RepoRef, number: number): Promise<CommitAccounts[]>;
  /** The merge base of two commits. */
  mergeBase(repo: RepoRef, base: string, head: string): Promise<string>;
  /** Files under `paths` (directory prefixes or exact files) in the tree of commit `sha`. */
  listTree(repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]>;
  /** Content of a blob as UTF-8 text; cached by SHA (immutable). */
  readBlob(repo: RepoRef, blobSha: string): Promise<string>;
  /** Warms the blob cache for many blobs at once (batched where the API allows); readBlob then serves them. */
  prefetchBlobs(repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void>;
  /** A file on the default branch, or undefined when it does not exist. */
  readFileAtDefaultBranch(repo: RepoRef, path: string): Promise<string | undefined>;
  /** The file `path` on the default branch, or the YAML files directly in directory `path`; empty when absent. */
  readFilesAtDefaultBranch(repo: RepoRef, path: string): Promise<{ path: string; content: string }[]>;
  /** Logins of an org team's members; cached briefly. */
  teamMembers(org: string, slug: string): Promise<ReadonlySet<string>>;
  /** Numbers of the PRs a commit belongs to (merge queues). */
  pullsForCommit(repo: RepoRef, sha: string): Promise<number[]>;
  /** SHAs of the commits reachable from `head` and not from `base`. */
  commitsBetween(repo: RepoRef, base: string, head: string): Promise<string[]>;
}

/** Publishes the gate's verdicts: its check run and its sticky comment. */
export interface CheckPublisher {
  /** Creates the check run `name` on `headSha` in progress; returns its id. */
  startCheck(repo: RepoRef, headSha: string): Promise<number>;
  /**
   * Creates the check run `name` on `headSha` already completed with `result` (one write for the
   * verdict); annotations past one request's worth follow in updates. Returns its id.
   */
  publishCheck(repo: RepoRef, headSha: string, result: CheckResult): Promise<number>;
  /** Completes a check run; annotations are sent in batches GitHub accepts. */
  completeCheck(repo: RepoRef, checkRunId: number, result: CheckResult): Promise<void>;
  /** This app's check runs named CHECK_RUN_NAME on a commit. */
  listChecks(repo: RepoRef, ref: string): Promise<CheckRunView[]>;
  /** Finds the app's comment by COMMENT_MARKER and updates it in place, else creates it. */
  upsertStickyComment(repo: RepoRef, number: number, body: string): Promise<void>;
}
