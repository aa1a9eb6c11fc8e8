import { DEFAULT_MANIFEST_LIMITS, isManifestPath } from "../core/manifest-limits.js";
import type { SecretDigestKey } from "../core/canonical.js";
import { buildManifestSet } from "../core/manifest-set.js";
import type { SourceFile } from "../core/ports/manifest-source.js";
import type { ManifestSet } from "../core/model.js";
import type { PullRequestSource, RepoRef, TreeFile } from "../core/ports/pull-request-source.js";
import { isManagedPath } from "../core/repo-config.js";
import { mapLimit } from "./map-limit.js";
import type { RepoConfig } from "../core/repo-config.js";

/** The managed manifests of a PR at its merge base and head, and every file the PR touches. */
export interface PullRequestContent {
  base: ManifestSet;
  head: ManifestSet;
  /** Every path whose blob differs between the two sides (added, removed or modified), sorted. */
  changedFiles: string[];
  /** Changed paths under a managed path that are manifests. */
  changedManifests: string[];
  /** Blob SHA at the head of each changed path that exists there (a deleted path has none). */
  changedHeadBlobs: ReadonlyMap<string, string>;
  /** Blobs this evaluation needed (the source serves repeats from its SHA cache). */
  blobsNeeded: number;
}

/** Blob reads in flight at once: enough to hide latency, few enough to stay friendly to the API. */
const BLOB_CONCURRENCY = 16;

function byPath(files: TreeFile[]): Map<string, TreeFile> {
  return new Map(files.map((f) => [f.path, f]));
}

/**
 * Reads the managed manifests at `baseSha` and `headSha` by SHA. Only files whose blob differs
 * between the two sides are fetched: a file the PR does not touch holds the same objects on both
 * sides, so it cannot contribute a change, and is never requested.
 */
export async function readPullRequestContent(
  source: PullRequestSource,
  repo: RepoRef,
  config: RepoConfig,
  baseSha: string,
  headSha: string,
  /** The deployment's key for Secret digests (see BuildManifestSetOptions.secretDigestKey). */
  secretDigestKey?: SecretDigestKey,
): Promise<PullRequestContent> {
  // One recursive tree per side (cached by SHA): every changed path, protected files included.
  const [baseTree, headTree] = await Promise.all([
    source.listTree(repo, baseSha, [""]),
    source.listTree(repo, headSha, [""]),
  ]);
  const base = byPath(baseTree);
  const head = byPath(headTree);
  const changedFiles = new Set<string>();
  for (const [path, file] of head) if (base.get(path)?.blobSha !== file.blobSha) changedFiles.add(path);
  for (const path of base.keys()) if (!head.has(path)) changedFiles.add(path);
  const changed = [...changedFiles].sort();
  const changedManifests = changed.filter((p) => isManifestPath(p) && isManagedPath(config, p));

  const wanted = changedManifests.flatMap((path) =>
    [base.get(path), head.get(path)].flatMap((f) =>
      f !== undefined && f.size <= DEFAULT_MANIFEST_LIMITS.maxFileBytes ? [f] : [],
    ),
  );
  await source.prefetchBlobs(repo, wanted);
  let blobsNeeded = 0;
  const read = async (file: TreeFile | undefined): Promise<SourceFile | undefined> => {
    if (file === undefined) return undefined;
    // Oversized files are not fetched: buildManifestSet reports them from the size alone.
    if (file.size > DEFAULT_MANIFEST_LIMITS.maxFileBytes)
      return { path: file.path, content: "", size: file.size };
    blobsNeeded++;
    return { path: file.path, content: await source.readBlob(repo, file.blobSha), size: file.size };
  };
  const pairs = await mapLimit(changedManifests, BLOB_CONCURRENCY / 2, async (path) => {
    const [before, after] = await Promise.all([read(base.get(path)), read(head.get(path))]);
    return { before, after };
  });
  const options = {
    ...(config.defaultNamespace === undefined ? {} : { defaultNamespace: config.defaultNamespace }),
    ...(config.clusterScopedKinds === undefined ? {} : { clusterScopedKinds: config.clusterScopedKinds }),
    ...(secretDigestKey === undefined ? {} : { secretDigestKey }),
  };
  return {
    base: buildManifestSet(
      pairs.flatMap((p) => (p.before ? [p.before] : [])),
      options,
    ),
    head: buildManifestSet(
      pairs.flatMap((p) => (p.after ? [p.after] : [])),
      options,
    ),
    changedFiles: changed,
    changedManifests,
    changedHeadBlobs: new Map(
      changed.flatMap((path) => {
        const blob = head.get(path)?.blobSha;
        return blob === undefined ? [] : [[path, blob] as const];
      }),
    ),
    blobsNeeded,
  };
}
