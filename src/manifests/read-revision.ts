/**
 * Reads every manifest file under the managed paths at one commit, by SHA: the reconciler needs the
 * whole desired state (duplicates across files and CRD scopes are only seen whole), unlike the gate,
 * which reads only the files a pull request changes.
 */
import { DEFAULT_MANIFEST_LIMITS, isManifestPath } from "../core/manifest-limits.js";
import type { SourceFile } from "../core/ports/manifest-source.js";
import type { RepoRef, RevisionReader, TreeFile } from "../core/ports/revision-reader.js";
import { mapLimit } from "./map-limit.js";

/** Blob reads in flight at once: enough to hide latency, few enough to stay friendly to the API. */
const BLOB_CONCURRENCY = 16;

/** The manifest files of `files` as SourceFiles; oversized files carry their size and no content. */
export async function readTreeFiles(
  reader: Pick<RevisionReader, "readBlob" | "prefetchBlobs">,
  repo: RepoRef,
  files: readonly TreeFile[],
): Promise<SourceFile[]> {
  const manifests = files.filter((f) => isManifestPath(f.path));
  const small = manifests.filter((f) => f.size <= DEFAULT_MANIFEST_LIMITS.maxFileBytes);
  await reader.prefetchBlobs(repo, small);
  return mapLimit(manifests, BLOB_CONCURRENCY, async (file) =>
    // Oversized files are not fetched: buildManifestSet reports them from the size alone.
    file.size > DEFAULT_MANIFEST_LIMITS.maxFileBytes
      ? { path: file.path, content: "", size: file.size }
      : { path: file.path, content: await reader.readBlob(repo, file.blobSha), size: file.size },
  );
}

/** Every manifest file under `paths` in commit `sha`, with the tree it was read from. */
export async function readRevision(
  reader: Pick<RevisionReader, "listTree" | "readBlob" | "prefetchBlobs">,
  repo: RepoRef,
  sha: string,
  paths: readonly string[],
): Promise<{ tree: TreeFile[]; files: SourceFile[] }> {
  try {
    const tree = await reader.listTree(repo, sha, paths);
    return { tree, files: await readTreeFiles(reader, repo, tree) };
  } catch (error) {
    throw new Error(`reading manifests at ${sha.slice(0, 12)} (${paths.join(", ")})`, { cause: error });
  }
}
