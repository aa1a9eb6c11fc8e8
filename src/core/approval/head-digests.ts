/**
 * Which content a PR head held, from this app's own check runs on it: each completed run stores
 * the head's binding digest in its `external_id` (docs/approval.md "Approvals bind to content").
 */
import type { ApprovalEvidence, RepoRef } from "./evidence.js";

const DIGEST = /^[0-9a-f]{64}$/;
/** Cached for a head whose runs recorded more than one digest. */
const CONFLICTING = "conflicting";

/** A small cache of head digests shared across evaluations (the gate passes an LRU). */
export interface HeadDigestCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** The cache key of a head. */
export function headDigestKey(repo: RepoRef, sha: string): string {
  return `${repo.owner}/${repo.repo}@${sha}`;
}

/**
 * The binding digest the app recorded for an older head `sha`, from its own check runs;
 * undefined when unknown, or when the runs recorded different digests: the head's content
 * changed with the PR's base, and which content a review of it saw is not known (fail closed).
 */
export async function digestOfHead(
  evidence: Pick<ApprovalEvidence, "checkRuns">,
  repo: RepoRef,
  sha: string,
  cache?: HeadDigestCache,
): Promise<string | undefined> {
  const key = headDigestKey(repo, sha);
  const cached = cache?.get(key);
  if (cached !== undefined) return cached === CONFLICTING ? undefined : cached;
  const checks = await evidence.checkRuns(repo, sha);
  const digests = new Set(
    checks.flatMap((c) =>
      c.headSha === sha && c.status === "completed" && c.externalId !== null && DIGEST.test(c.externalId)
        ? [c.externalId]
        : [],
    ),
  );
  const [only] = digests;
  if (only === undefined) return undefined;
  const value = digests.size === 1 ? only : CONFLICTING;
  cache?.set(key, value);
  return value === CONFLICTING ? undefined : value;
}

/**
 * Since when the current head has held `currentDigest`, from the app's own check runs on it. A
 * head's content changes without a push when the PR's base changes (another merge base): an
 * approval of the head made before that approved other content. Returns undefined when every
 * recorded digest of the head is the current one (every review on it counts), otherwise the
 * time (ms) after which a review counts, and the digest the head held before it.
 */
export async function contentChangeOfHead(
  evidence: Pick<ApprovalEvidence, "checkRuns">,
  repo: RepoRef,
  sha: string,
  currentDigest: string,
): Promise<{ since: number; before: string } | undefined> {
  const runs = (await evidence.checkRuns(repo, sha))
    .filter((c) => c.headSha === sha)
    .map((c) => ({ ...c, started: Date.parse(c.startedAt ?? "") }))
    .sort((a, b) =>
      a.started === b.started || Number.isNaN(a.started - b.started) ? a.id - b.id : a.started - b.started,
    );
  let last = -1;
  runs.forEach((c, i) => {
    if (
      c.status === "completed" &&
      c.externalId !== null &&
      DIGEST.test(c.externalId) &&
      c.externalId !== currentDigest
    )
      last = i;
  });
  const other = runs[last];
  if (other === undefined) return undefined;
  // The first run after the last one with other content started once the content had changed.
  const next = runs[last + 1];
  const since = next === undefined || Number.isNaN(next.started) ? Number.POSITIVE_INFINITY : next.started;
  return { since, before: other.externalId as string };
}
