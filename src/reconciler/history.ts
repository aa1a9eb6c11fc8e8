/**
 * The history between the last applied commit L and the desired commit D, as groups of commits:
 * walk the first-parent line, group consecutive commits by the merged pull request GitHub
 * associates them with (merge, squash and rebase merges), and say which objects each group
 * changed. Commits with no merged pull request into the branch are direct pushes, one group each.
 */
import type { ManifestSet } from "../core/model.js";
import type { SourceFile } from "../core/ports/manifest-source.js";
import type { CommitPull, RepoRef, RevisionReader, TreeFile } from "../core/ports/revision-reader.js";
import type { HistoryGroup } from "../core/reconcile/authorize.js";
import { readTreeFiles } from "../manifests/read-revision.js";

export type History =
  | { status: "linear"; groups: HistoryGroup[]; commits: number }
  | { status: "not-ancestor" }
  | { status: "too-long"; limit: number };

export interface HistoryDeps {
  reader: RevisionReader;
  repo: RepoRef;
  branch: string;
  paths: readonly string[];
  /** Most first-parent commits walked; beyond, nothing is concluded (fail closed). */
  limit: number;
  /** Builds a manifest set the way D's was built (same default namespace, same CRD scopes). */
  buildSet(files: SourceFile[]): ManifestSet;
}

/** The merged pull request of `branch` a commit belongs to, or undefined (a direct push). */
export function pullOfCommit(sha: string, pulls: readonly CommitPull[], branch: string): number | undefined {
  const merged = pulls.filter((p) => p.merged && p.baseRef === branch);
  // The PR whose merge (or squash, or last rebased) commit this is speaks first; then any merged PR holding it.
  const exact = merged.find((p) => p.mergeCommitSha === sha);
  if (exact !== undefined) return exact.number;
  return merged.sort((a, b) => a.number - b.number)[0]?.number;
}

/** Objects whose digest differs between two trees' versions of the changed files: key -> digest after ("" = gone). */
async function touchedBetween(
  deps: HistoryDeps,
  before: readonly TreeFile[],
  after: readonly TreeFile[],
): Promise<Map<string, string>> {
  const beforeByPath = new Map(before.map((f) => [f.path, f]));
  const afterByPath = new Map(after.map((f) => [f.path, f]));
  const changed = new Set<string>();
  for (const [path, f] of afterByPath) if (beforeByPath.get(path)?.blobSha !== f.blobSha) changed.add(path);
  for (const path of beforeByPath.keys()) if (!afterByPath.has(path)) changed.add(path);
  const touched = new Map<string, string>();
  if (changed.size === 0) return touched;
  const pick = (m: Map<string, TreeFile>): TreeFile[] => [...changed].flatMap((p) => m.get(p) ?? []);
  const [b, a] = await Promise.all([
    readTreeFiles(deps.reader, deps.repo, pick(beforeByPath)),
    readTreeFiles(deps.reader, deps.repo, pick(afterByPath)),
  ]);
  const setBefore = deps.buildSet(b);
  const setAfter = deps.buildSet(a);
  for (const [key, o] of setAfter.objects)
    if (setBefore.objects.get(key)?.digest !== o.digest) touched.set(key, o.digest);
  for (const key of setBefore.objects.keys()) if (!setAfter.objects.has(key)) touched.set(key, "");
  // A file that stops parsing reads as deleting its objects; the commit that fixes it touches them
  // again, so the latest toucher is still the one that wrote the content D holds.
  return touched;
}

/** Reads the history from `from` (L) to `to` (D) and groups it. */
export async function readHistory(deps: HistoryDeps, from: string, to: string): Promise<History> {
  const walk = await deps.reader.firstParentHistory(deps.repo, from, to, deps.limit);
  if (walk.status !== "linear") return walk;
  const groups: HistoryGroup[] = [];
  let previousTree = walk.commits.length > 0 ? await deps.reader.listTree(deps.repo, from, deps.paths) : [];
  for (const sha of walk.commits) {
    const [pulls, tree] = await Promise.all([
      deps.reader.pullsOfCommit(deps.repo, sha),
      deps.reader.listTree(deps.repo, sha, deps.paths),
    ]);
    const pullRequest = pullOfCommit(sha, pulls, deps.branch);
    const touched = await touchedBetween(deps, previousTree, tree);
    previousTree = tree;
    const last = groups[groups.length - 1];
    if (last !== undefined && pullRequest !== undefined && last.pullRequest === pullRequest) {
      last.commits.push(sha);
      const merged = last.touched as Map<string, string>;
      for (const [key, digest] of touched) merged.set(key, digest);
    } else {
      groups.push(
        pullRequest === undefined ? { commits: [sha], touched } : { pullRequest, commits: [sha], touched },
      );
    }
  }
  return { status: "linear", groups, commits: walk.commits.length };
}
