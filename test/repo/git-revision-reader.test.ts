import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRevision } from "../../src/manifests/read-revision.js";
import { GitRevisionReader } from "../../src/repo/git-revision-reader.js";
import { runGit } from "../support/git.js";

let dir: string;
const commits: string[] = [];
const repo = { owner: "local", repo: "clone" };
const git = (...args: string[]): string => runGit(dir, ...args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countersign-rev-"));
  git("init", "-q", "-b", "main");
  await mkdir(join(dir, "clusters/prod"), { recursive: true });
  await writeFile(join(dir, "clusters/prod/a.yaml"), "kind: A1\n");
  await writeFile(join(dir, "other.yaml"), "kind: O\n");
  git("add", "-A");
  git("commit", "-q", "-m", "one");
  commits.push(git("rev-parse", "HEAD"));
  git("checkout", "-q", "-b", "side");
  await writeFile(join(dir, "clusters/prod/b.yaml"), "kind: B\n");
  git("add", "-A");
  git("commit", "-q", "-m", "side");
  git("checkout", "-q", "main");
  await writeFile(join(dir, "clusters/prod/a.yaml"), "kind: A2\n");
  git("commit", "-q", "-am", "two");
  commits.push(git("rev-parse", "HEAD"));
  git("merge", "-q", "--no-ff", "-m", "merge side", "side");
  commits.push(git("rev-parse", "HEAD"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("GitRevisionReader", () => {
  it("reads the branch head, and the same head again as unchanged", async () => {
    const r = new GitRevisionReader(dir);
    const head = await r.branchHead(repo, "main");
    expect(head).toEqual({ status: "read", sha: commits[2], etag: commits[2] });
    expect(await r.branchHead(repo, "main", commits[2])).toEqual({ status: "unchanged", etag: commits[2] });
  });

  it("walks first parents only: the merged branch's commit is not on the line", async () => {
    const r = new GitRevisionReader(dir);
    expect(await r.firstParentHistory(repo, commits[0]!, commits[2]!, 10)).toEqual({
      status: "linear",
      commits: [commits[1], commits[2]],
    });
    const side = git("rev-parse", "side");
    expect(await r.firstParentHistory(repo, side, commits[2]!, 10)).toEqual({ status: "not-ancestor" });
    expect(await r.firstParentHistory(repo, commits[0]!, commits[2]!, 1)).toEqual({
      status: "too-long",
      limit: 1,
    });
  });

  it("reads every manifest under the managed paths at a commit, by SHA", async () => {
    const { files } = await readRevision(new GitRevisionReader(dir), repo, commits[2]!, ["clusters/prod"]);
    expect(files.map((f) => [f.path, f.content])).toEqual([
      ["clusters/prod/a.yaml", "kind: A2\n"],
      ["clusters/prod/b.yaml", "kind: B\n"],
    ]);
    expect(await new GitRevisionReader(dir).pullsOfCommit()).toEqual([]);
  });
});
