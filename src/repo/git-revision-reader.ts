/**
 * RevisionReader over a local clone: for development, tests and air-gapped use. A clone knows no
 * pull requests, so every commit reads as a direct push (nothing is authorized through it alone).
 */
import type {
  BranchHead,
  CommitPull,
  FirstParentHistory,
  RepoRef,
  RevisionReader,
  TreeFile,
} from "../core/ports/revision-reader.js";
import { underPaths } from "../github/octokit-pull-request-source.js";
import { catFileBatch, git } from "./git-source.js";

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const BRANCH = /^(?!-)[A-Za-z0-9._/-]{1,200}$/;

export class GitRevisionReader implements RevisionReader {
  readonly #blobs = new Map<string, string>();

  constructor(readonly path: string) {}

  async branchHead(_repo: RepoRef, branch: string, etag?: string): Promise<BranchHead> {
    if (!BRANCH.test(branch) || branch.includes(".."))
      throw new Error(`invalid branch name ${JSON.stringify(branch)}`);
    const sha = (
      await git(
        this.path,
        ["rev-parse", "--verify", "--end-of-options", `refs/heads/${branch}^{commit}`],
        `reading the head of ${branch}`,
      )
    ).trim();
    // The SHA is its own validator: an unchanged head is reported as such.
    return etag === sha ? { status: "unchanged", etag } : { status: "read", sha, etag: sha };
  }

  async listTree(_repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]> {
    if (!SHA.test(sha)) throw new Error(`listing the tree of ${JSON.stringify(sha)}: not a commit SHA`);
    const out = await git(
      this.path,
      ["ls-tree", "-r", "-z", "--long", "--full-tree", sha],
      `listing the tree of ${sha.slice(0, 12)}`,
    );
    const files: TreeFile[] = [];
    for (const record of out.split("\0")) {
      if (record === "") continue;
      const tab = record.indexOf("\t");
      const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
      const path = record.slice(tab + 1);
      if (type !== "blob" || (mode !== "100644" && mode !== "100755") || object === undefined) continue;
      if (underPaths(path, paths)) files.push({ path, blobSha: object, size: Number(size) });
    }
    return files;
  }

  async readBlob(repo: RepoRef, blobSha: string): Promise<string> {
    await this.prefetchBlobs(repo, [{ blobSha, size: 0 }]);
    const content = this.#blobs.get(blobSha);
    if (content === undefined) throw new Error(`reading blob ${blobSha.slice(0, 12)}: not found`);
    return content;
  }

  async prefetchBlobs(_repo: RepoRef, blobs: readonly Pick<TreeFile, "blobSha" | "size">[]): Promise<void> {
    const missing = blobs.map((b) => b.blobSha).filter((s) => SHA.test(s) && !this.#blobs.has(s));
    if (missing.length === 0) return;
    for (const [sha, content] of await catFileBatch(this.path, missing, "reading blobs"))
      this.#blobs.set(sha, content);
  }

  async firstParentHistory(
    _repo: RepoRef,
    from: string,
    to: string,
    limit: number,
  ): Promise<FirstParentHistory> {
    if (!SHA.test(from) || !SHA.test(to)) throw new Error("walking history: commits must be full SHAs");
    if (from === to) return { status: "linear", commits: [] };
    const out = await git(
      this.path,
      ["rev-list", "--first-parent", `--max-count=${limit + 1}`, to],
      `walking the history from ${from.slice(0, 12)} to ${to.slice(0, 12)}`,
    );
    const line = out.split("\n").filter((s) => s !== "");
    const at = line.indexOf(from);
    if (at < 0) return line.length > limit ? { status: "too-long", limit } : { status: "not-ancestor" };
    return { status: "linear", commits: line.slice(0, at).reverse() };
  }

  async pullsOfCommit(): Promise<CommitPull[]> {
    return [];
  }
}
