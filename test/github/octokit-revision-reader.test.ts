import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { createGitHubCaches } from "../../src/github/github-caches.js";
import { OctokitRevisionReader } from "../../src/github/octokit-revision-reader.js";
import type { GitHubClient } from "../../src/github/octokit-pull-request-source.js";

const repo = { owner: "acme", repo: "deploy" };
const API = "https://api.github.com";
const sha = (n: number): string => n.toString(16).padStart(40, "0");

function reader(): OctokitRevisionReader {
  const Octokit = buildOctokitClass({ testing: true });
  return new OctokitRevisionReader(
    new Octokit({ auth: "t" }) as unknown as GitHubClient,
    createGitHubCaches(),
  );
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("OctokitRevisionReader.branchHead", () => {
  it("reads the head, then revalidates it with the ETag: a 304 reads as unchanged", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/git/ref/heads%2Fmain")
      .reply(200, { object: { sha: sha(7), type: "commit" } }, { etag: '"e1"' })
      .get("/repos/acme/deploy/git/ref/heads%2Fmain")
      .matchHeader("if-none-match", '"e1"')
      .reply(304);
    const r = reader();
    expect(await r.branchHead(repo, "main")).toEqual({ status: "read", sha: sha(7), etag: '"e1"' });
    expect(await r.branchHead(repo, "main", '"e1"')).toEqual({ status: "unchanged", etag: '"e1"' });
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("fails with what it was doing when GitHub is down", async () => {
    nock(API).get("/repos/acme/deploy/git/ref/heads%2Fmain").reply(503, { message: "down" });
    await expect(reader().branchHead(repo, "main")).rejects.toThrow("reading the head of acme/deploy@main");
  });
});

describe("OctokitRevisionReader.firstParentHistory", () => {
  it("follows first parents only, over as many pages as needed", async () => {
    // 1 <- 2 <- 3(merge of 2 and 9) <- 4; commit 9 (a merged branch) is not on the first-parent line.
    const page1 = [
      { sha: sha(4), parents: [{ sha: sha(3) }] },
      ...Array.from({ length: 99 }, (_, i) => ({ sha: sha(1000 + i), parents: [{ sha: sha(1) }] })),
    ];
    const page2 = [
      { sha: sha(3), parents: [{ sha: sha(2) }, { sha: sha(9) }] },
      { sha: sha(9), parents: [{ sha: sha(1) }] },
      { sha: sha(2), parents: [{ sha: sha(1) }] },
      { sha: sha(1), parents: [] },
    ];
    const scope = nock(API)
      .get(`/repos/acme/deploy/compare/${sha(1)}...${sha(4)}`)
      .query(true)
      .reply(200, { status: "ahead", ahead_by: 4, commits: [] })
      .get("/repos/acme/deploy/commits")
      .query({ sha: sha(4), per_page: 100, page: 1 })
      .reply(200, page1)
      .get("/repos/acme/deploy/commits")
      .query({ sha: sha(4), per_page: 100, page: 2 })
      .reply(200, page2);
    expect(await reader().firstParentHistory(repo, sha(1), sha(4), 50)).toEqual({
      status: "linear",
      commits: [sha(2), sha(3), sha(4)],
    });
    expect(scope.pendingMocks()).toEqual([]);
  });

  it.each([
    // a rewritten history: GitHub says the branches diverged
    ["diverged", 200, { status: "diverged", ahead_by: 1, behind_by: 1, commits: [] }],
    // the old commit is gone entirely
    ["unknown base", 404, { message: "Not Found" }],
  ])("reads %s as not an ancestor", async (_name, status, body) => {
    nock(API)
      .get(`/repos/acme/deploy/compare/${sha(1)}...${sha(4)}`)
      .query(true)
      .reply(status, body);
    expect(await reader().firstParentHistory(repo, sha(1), sha(4), 50)).toEqual({ status: "not-ancestor" });
  });

  it("fails closed past its bound instead of judging a partial history", async () => {
    const line = Array.from({ length: 100 }, (_, i) => ({
      sha: sha(500 - i),
      parents: [{ sha: sha(499 - i) }],
    }));
    nock(API)
      .get(`/repos/acme/deploy/compare/${sha(1)}...${sha(500)}`)
      .query(true)
      .reply(200, { status: "ahead", ahead_by: 499, commits: [] })
      .get("/repos/acme/deploy/commits")
      .query(true)
      .reply(200, line);
    expect(await reader().firstParentHistory(repo, sha(1), sha(500), 10)).toEqual({
      status: "too-long",
      limit: 10,
    });
  });
});

describe("OctokitRevisionReader.pullsOfCommit", () => {
  it("reads every page of the pull requests of a commit", async () => {
    const pull = (n: number, merged: boolean) => ({
      number: n,
      merged_at: merged ? "2026-01-01T00:00:00Z" : null,
      merge_commit_sha: merged ? sha(n) : null,
      base: { ref: "main" },
      head: { sha: sha(n + 1) },
      user: { login: "dev" },
    });
    const scope = nock(API)
      .get(`/repos/acme/deploy/commits/${sha(5)}/pulls`)
      .query({ per_page: 100 })
      .reply(
        200,
        Array.from({ length: 100 }, (_, i) => pull(i + 1, false)),
        {
          link: `<${API}/repos/acme/deploy/commits/${sha(5)}/pulls?per_page=100&page=2>; rel="next"`,
        },
      )
      .get(`/repos/acme/deploy/commits/${sha(5)}/pulls`)
      .query({ per_page: 100, page: 2 })
      .reply(200, [pull(200, true)]);
    const pulls = await reader().pullsOfCommit(repo, sha(5));
    expect(pulls).toHaveLength(101);
    expect(pulls[100]).toEqual({
      number: 200,
      merged: true,
      baseRef: "main",
      mergeCommitSha: sha(200),
      headSha: sha(201),
      author: "dev",
    });
    expect(scope.pendingMocks()).toEqual([]);
  });
});
