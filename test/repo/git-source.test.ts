import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitManifestSource, openGitSource, resolveCommit } from "../../src/repo/git-source.js";
import { describeError } from "../../src/core/error-text.js";
import { runGit } from "../support/git.js";

let repo: string;
let first: string;
let second: string;

const git = (...args: string[]): string => runGit(repo, ...args);

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "countersign-git-"));
  git("init", "-q", "-b", "main");
  await mkdir(join(repo, "apps"), { recursive: true });
  await mkdir(join(repo, "platform"), { recursive: true });
  await writeFile(join(repo, "apps/a.yaml"), "kind: A1\n");
  await writeFile(join(repo, "apps/readme.md"), "not a manifest\n");
  await writeFile(join(repo, "platform/big.json"), "x".repeat(3000));
  await writeFile(join(repo, "platform/ünï côde.yaml"), "kind: U\n");
  await symlink("/etc/passwd", join(repo, "apps/link.yaml"));
  git("add", "-A");
  git("commit", "-q", "-m", "one");
  first = git("rev-parse", "HEAD");
  await writeFile(join(repo, "apps/a.yaml"), "kind: A2\n");
  git("commit", "-q", "-am", "two");
  git("tag", "v2");
  second = git("rev-parse", "HEAD");
  // The working tree is never read: an uncommitted edit must not show.
  await writeFile(join(repo, "apps/a.yaml"), "kind: DIRTY\n");
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("resolveCommit", () => {
  it.each([
    // a branch name
    ["main", () => second],
    // a tag
    ["v2", () => second],
    // a relative revision
    ["HEAD~1", () => first],
    // an abbreviated SHA
    [undefined, () => first],
  ])("resolves %s", async (rev, expected) => {
    expect(await resolveCommit(repo, rev ?? first.slice(0, 10))).toBe(expected());
  });

  it.each([
    // option-looking revisions are refused before git runs
    ["--output=/tmp/x", /invalid revision/],
    ["-n", /invalid revision/],
    // whitespace could smuggle a second argument in some callers
    ["main extra", /invalid revision/],
    // unknown revisions fail clearly
    ["no-such-branch", /resolving revision no-such-branch/],
  ])("rejects %s", async (rev, message) => {
    await expect(resolveCommit(repo, rev)).rejects.toThrow(message);
  });

  it("says in plain words that a revision is unknown, without git's command line", async () => {
    // execFile's "Command failed: git -c … rev-parse …" used to end the message.
    const error = await resolveCommit(repo, "no-such-branch").catch((e: unknown) => e);
    // The temporary repository's random name may be masked as a token: match around it.
    expect(describeError(error)).toMatch(
      /^resolving revision no-such-branch in \S+: unknown revision or not a commit$/,
    );
  });
});

describe("GitManifestSource", () => {
  it("reads manifest blobs of a commit, not the working tree, skipping symlinks and big blobs", async () => {
    const source = await openGitSource(repo, "HEAD~1", { maxFileBytes: 1024 });
    expect(source.commit).toBe(first);
    const files = await source.read([]);
    expect(files).toEqual([
      { path: "apps/a.yaml", content: "kind: A1\n" },
      { path: "platform/big.json", content: "", size: 3000 },
      { path: "platform/ünï côde.yaml", content: "kind: U\n" },
    ]);
  });

  it.each([
    // one sub-path
    [["apps"], ["apps/a.yaml"]],
    // a file and a directory
    [
      ["platform/", "apps/a.yaml"],
      ["apps/a.yaml", "platform/big.json", "platform/ünï côde.yaml"],
    ],
  ])("limits to %j", async (paths, expected) => {
    const files = await new GitManifestSource(repo, second).read(paths);
    expect(files.map((f) => f.path)).toEqual(expected);
  });

  it.each([
    // a path absent from the commit
    [["nope"], /path nope does not exist/],
    // pathspec magic is literal, so it names nothing
    [[":(glob)**"], /does not exist/],
    // parent references
    [["../x"], /not allowed/],
  ])("rejects %j", async (paths, message) => {
    await expect(new GitManifestSource(repo, second).read(paths)).rejects.toThrow(message);
  });

  it("needs a full SHA", () => {
    expect(() => new GitManifestSource(repo, "main")).toThrow(/full commit SHA/);
  });
});
