/**
 * An in-memory Git repository on a forge, implementing RevisionReader: commits with parents and
 * whole trees, branches with ETags, and the pull requests GitHub would associate with each commit.
 * Counts requests the way GitHub would bill them (a 304 is counted, but as `notModified`).
 */
import { createHash } from "node:crypto";
import type {
  BranchHead,
  CommitPull,
  FirstParentHistory,
  RepoRef,
  RevisionReader,
  TreeFile,
} from "../../../src/core/ports/revision-reader.js";
import { underPaths } from "../../../src/github/octokit-pull-request-source.js";

interface FakeCommit {
  parents: string[];
  files: Map<string, string>;
}

export interface FakePull extends CommitPull {
  /** Commits GitHub associates with the PR (its own commits, and the merge/squash/rebased ones). */
  commits: Set<string>;
}

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

export class FakeRepo implements RevisionReader {
  readonly commits = new Map<string, FakeCommit>();
  readonly blobs = new Map<string, string>();
  readonly branches = new Map<string, string>();
  readonly pulls: FakePull[] = [];
  /** Requests by method; `notModified` counts 304s. */
  readonly requests = { total: 0, notModified: 0, byMethod: new Map<string, number>() };
  down = false;
  #counter = 0;

  private count(method: string): void {
    if (this.down) throw new Error(`GitHub unreachable (${method}): connect ECONNREFUSED`);
    this.requests.total++;
    this.requests.byMethod.set(method, (this.requests.byMethod.get(method) ?? 0) + 1);
  }

  resetCounts(): void {
    this.requests.total = 0;
    this.requests.notModified = 0;
    this.requests.byMethod.clear();
  }

  /** Creates a commit: `changes` maps paths to new content, or null to delete. */
  commit(parents: string[], changes: Record<string, string | null>, base?: string): string {
    const from = base ?? parents[0];
    const files = new Map(from === undefined ? [] : (this.commits.get(from)?.files ?? []));
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else {
        files.set(path, content);
        this.blobs.set(this.blobSha(content), content);
      }
    }
    const sha = sha1(`${++this.#counter}:${parents.join(",")}`);
    this.commits.set(sha, { parents, files });
    return sha;
  }

  blobSha(content: string): string {
    return sha1(`blob ${content}`);
  }

  filesAt(sha: string): Map<string, string> {
    const commit = this.commits.get(sha);
    if (commit === undefined) throw new Error(`no commit ${sha}`);
    return new Map(commit.files);
  }

  async branchHead(_repo: RepoRef, branch: string, etag?: string): Promise<BranchHead> {
    this.count("branchHead");
    const sha = this.branches.get(branch);
    if (sha === undefined) throw new Error(`no branch ${branch}`);
    const current = `"${sha}"`;
    if (etag === current) {
      this.requests.notModified++;
      return { status: "unchanged", etag };
    }
    return { status: "read", sha, etag: current };
  }

  async listTree(_repo: RepoRef, sha: string, paths: readonly string[]): Promise<TreeFile[]> {
    this.count("listTree");
    return [...this.filesAt(sha)]
      .filter(([path]) => underPaths(path, paths))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, content]) => ({ path, blobSha: this.blobSha(content), size: Buffer.byteLength(content) }));
  }

  async readBlob(_repo: RepoRef, blobSha: string): Promise<string> {
    this.count("readBlob");
    const content = this.blobs.get(blobSha);
    if (content === undefined) throw new Error(`no blob ${blobSha}`);
    return content;
  }

  async prefetchBlobs(): Promise<void> {}

  async firstParentHistory(
    _repo: RepoRef,
    from: string,
    to: string,
    limit: number,
  ): Promise<FirstParentHistory> {
    this.count("firstParentHistory");
    const line: string[] = [];
    let cursor: string | undefined = to;
    while (cursor !== undefined && cursor !== from) {
      if (line.length >= limit) return { status: "too-long", limit };
      line.push(cursor);
      cursor = this.commits.get(cursor)?.parents[0];
    }
    return cursor === from ? { status: "linear", commits: line.reverse() } : { status: "not-ancestor" };
  }

  async pullsOfCommit(_repo: RepoRef, sha: string): Promise<CommitPull[]> {
    this.count("pullsOfCommit");
    return this.pulls.filter((p) => p.commits.has(sha)).map(({ commits: _c, ...pull }) => pull);
  }
}
