/**
 * What an approval binds to beyond the objects: the protected files (the repository
 * configuration and the repository policy) a PR changes, by blob (docs/approval.md).
 */
import { sha256Hex } from "../canonical.js";
import { protectedPathOf } from "../repo-config.js";
import type { RecordedProtectedFile } from "../model.js";
import type { RepoConfig } from "../repo-config.js";

/** A protected file a PR changes, and its blob at the PR's head (null: the PR deletes it). */
export type ProtectedFileState = RecordedProtectedFile;

const byPath = (a: ProtectedFileState, b: ProtectedFileState): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** The protected files among `changedFiles`, with their head blobs, sorted by path, each once. */
export function protectedFileStates(
  config: RepoConfig,
  changedFiles: readonly string[],
  headBlobs: ReadonlyMap<string, string>,
): ProtectedFileState[] {
  return [...new Set(changedFiles)]
    .filter((file) => protectedPathOf(config, file) !== undefined)
    .map((path) => ({ path, blob: headBlobs.get(path) ?? null }))
    .sort(byPath);
}

/**
 * The digest an approval binds to (the check run's `external_id`, compared across heads): the
 * change-set digest, extended with the head's blob of every protected file the PR changes. The
 * change set covers Kubernetes objects only, so without this an approval of one edit of
 * `.github/countersign.yml` or the policy would carry over to any later edit of it. Without a
 * protected change it is the change-set digest itself.
 */
export function approvalBindingDigest(
  changeSetDigest: string,
  protectedFiles: readonly ProtectedFileState[],
): string {
  const lines = [
    ...new Set(protectedFiles.map((f) => `${JSON.stringify(f.path)} ${f.blob ?? "deleted"}`)),
  ].sort();
  if (lines.length === 0) return changeSetDigest;
  return sha256Hex(["countersign protected files v1", changeSetDigest, ...lines].join("\n"));
}
