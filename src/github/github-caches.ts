import { Lru } from "./lru.js";

/** An ETag-validated copy of a file on the default branch. */
export interface EtagEntry {
  etag: string;
  content: string | undefined;
}

/**
 * Caches shared by every event the process handles (the Octokit client is per installation and
 * per event, the caches are not). Content-addressed entries never expire; lookups that can
 * change (team membership) expire quickly.
 */
export interface GitHubCaches {
  /** Blob SHA -> UTF-8 content. Content-addressed, so safe to share across repositories. */
  blobs: Lru<string>;
  /** `owner/repo@commit` -> every file of the commit's tree (path, blob SHA, size). */
  trees: Lru<{ path: string; blobSha: string; size: number }[]>;
  /** `owner/repo@base...head` -> merge base SHA. */
  mergeBases: Lru<string>;
  /** `owner/repo:path` -> ETag and content of a default-branch file (conditional requests). */
  defaultBranchFiles: Lru<EtagEntry>;
  /** `org/slug` -> member logins (lower case). */
  teams: Lru<ReadonlySet<string>>;
  /** `owner/repo#number` -> id of the sticky comment. */
  commentIds: Lru<number>;
  /** `owner/repo#number` -> body last written to the sticky comment. */
  commentBodies: Lru<string>;
  /** Accounts (installations) whose server answered GraphQL with "not there": read blobs through REST. */
  graphqlUnavailable: Lru<true>;
}

export interface GitHubCacheOptions {
  /** Team membership is cached this long (ms); removal from a team takes effect after it. */
  teamTtlMs?: number;
  maxBlobs?: number;
}

export function createGitHubCaches(options: GitHubCacheOptions = {}): GitHubCaches {
  return {
    blobs: new Lru<string>(options.maxBlobs ?? 20_000),
    trees: new Lru(64),
    mergeBases: new Lru<string>(1_000),
    defaultBranchFiles: new Lru<EtagEntry>(1_000),
    teams: new Lru<ReadonlySet<string>>(500, options.teamTtlMs ?? 60_000),
    commentIds: new Lru<number>(10_000),
    commentBodies: new Lru<string>(1_000),
    // Checked again after an hour: GraphQL may have been turned on since.
    graphqlUnavailable: new Lru<true>(1_000, 60 * 60_000),
  };
}
