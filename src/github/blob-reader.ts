/**
 * Reads Git blobs by SHA: many at once through GraphQL batches, one at a time through REST, both
 * cached by SHA (content-addressed, so safe to share across repositories and events).
 */
import type { RepoRef, TreeFile } from "../core/ports/pull-request-source.js";
import { mapLimit } from "../manifests/map-limit.js";
import type { GitHubClient } from "../clients/github.js";
import { gitHubStatus } from "../clients/github-error.js";
import type { GitHubCaches } from "./github-caches.js";

/** Below this many uncached blobs, REST one by one; from it on, GraphQL batches. */
export const GRAPHQL_MIN_BLOBS = 10;
/**
 * Blobs per GraphQL query. Each `object(oid:)` is one node and a query costs one point of the
 * hourly budget whatever its size; the real bounds are the answer's size and GitHub's 10 s
 * timeout, which GRAPHQL_BATCH_BYTES keeps batches well inside.
 */
export const GRAPHQL_BATCH = 250;
/** Bounds on one GraphQL answer: blobs above the first go through REST, batches stay under the second. */
export const GRAPHQL_MAX_BLOB_BYTES = 512 * 1024;
export const GRAPHQL_BATCH_BYTES = 4 * 1024 * 1024;
/** GraphQL queries in flight at once for one read (GitHub allows 100 concurrent requests). */
export const GRAPHQL_CONCURRENCY = 4;

/**
 * Statuses that say this server has no usable GraphQL endpoint (GitHub Enterprise with it turned
 * off, a proxy that only passes REST): remembered, so later evaluations go straight to REST.
 */
const GRAPHQL_UNAVAILABLE = new Set([400, 404, 405, 410, 501]);

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

type BlobAnswer = { text?: string | null; isBinary?: boolean; isTruncated?: boolean } | null;

/** Groups blobs into batches of at most GRAPHQL_BATCH blobs and GRAPHQL_BATCH_BYTES bytes. */
export function graphqlBatches(blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const blob of blobs) {
    if (batch.length >= GRAPHQL_BATCH || (batch.length > 0 && bytes + blob.size > GRAPHQL_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(blob.blobSha);
    bytes += blob.size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export class GitHubBlobReader {
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly octokit: GitHubClient,
    private readonly caches: GitHubCaches,
  ) {}

  /** Content of a blob as UTF-8 text, through REST unless a batch already cached it. */
  async readBlob(repo: RepoRef, blobSha: string): Promise<string> {
    const cached = this.caches.blobs.get(blobSha);
    if (cached !== undefined) return cached;
    // The same blob at two paths (a moved file) is requested once, even when both reads run at once.
    const pending = this.#inflight.get(blobSha);
    if (pending !== undefined) return pending;
    const read = this.#fetchBlob(repo, blobSha).finally(() => this.#inflight.delete(blobSha));
    this.#inflight.set(blobSha, read);
    return read;
  }

  /**
   * Warms the cache for many blobs through GraphQL batches, several in flight. Never fails: what a
   * batch could not read is left to readBlob (REST), and a server without GraphQL is remembered
   * (per account, for an hour) so later reads skip straight to REST.
   */
  async prefetchBlobs(repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void> {
    const account = repo.owner.toLowerCase();
    if (this.caches.graphqlUnavailable.has(account)) return;
    const seen = new Set<string>();
    const missing = blobs.filter((b) => {
      if (seen.has(b.blobSha) || !SHA.test(b.blobSha) || this.caches.blobs.has(b.blobSha)) return false;
      seen.add(b.blobSha);
      // Large blobs go through REST one by one: a GraphQL answer must stay small.
      return b.size <= GRAPHQL_MAX_BLOB_BYTES;
    });
    // A few blobs are cheaper one by one (and need no GraphQL); many are read in batches.
    if (missing.length < GRAPHQL_MIN_BLOBS) return;
    let unavailable = false;
    await mapLimit(graphqlBatches(missing), GRAPHQL_CONCURRENCY, async (batch) => {
      if (unavailable) return;
      try {
        await this.#readBatch(repo, batch);
      } catch (error) {
        const status = gitHubStatus(error);
        if (status !== undefined && GRAPHQL_UNAVAILABLE.has(status)) {
          unavailable = true;
          this.caches.graphqlUnavailable.set(account, true);
        }
        // Anything else (a 502, a rate limit): this batch is left to REST, the next may still work.
      }
    });
  }

  async #readBatch(repo: RepoRef, batch: readonly string[]): Promise<void> {
    const fields = batch
      .map((sha, i) => `b${i}: object(oid: "${sha}") { ... on Blob { text isBinary isTruncated } }`)
      .join("\n");
    const query = `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`;
    const result = await this.octokit.graphql<{ repository: Record<string, BlobAnswer> | null }>(query, {
      owner: repo.owner,
      name: repo.repo,
    });
    batch.forEach((sha, i) => {
      const blob = result.repository?.[`b${i}`];
      // Truncated or binary text is not the content: leave it for REST.
      if (blob && typeof blob.text === "string" && blob.isTruncated !== true && blob.isBinary !== true) {
        this.caches.blobs.set(sha, blob.text);
      }
    });
  }

  async #fetchBlob(repo: RepoRef, blobSha: string): Promise<string> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...repo,
      file_sha: blobSha,
    });
    const content =
      data.encoding === "base64"
        ? Buffer.from(data.content, "base64").toString("utf8")
        : String(data.content);
    this.caches.blobs.set(blobSha, content);
    return content;
  }
}
