import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { createGitHubCaches } from "../../src/github/github-caches.js";
import type { GitHubCaches } from "../../src/github/github-caches.js";
import { OctokitPullRequestSource, underPaths } from "../../src/github/octokit-pull-request-source.js";
import type { GitHubClient } from "../../src/github/octokit-pull-request-source.js";

const repo = { owner: "acme", repo: "deploy" };
const API = "https://api.github.com";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function source(caches: GitHubCaches = createGitHubCaches()): OctokitPullRequestSource {
  const Octokit = buildOctokitClass({ testing: true });
  return new OctokitPullRequestSource(new Octokit({ auth: "test-token" }) as unknown as GitHubClient, caches);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("OctokitPullRequestSource", () => {
  it("reads a blob once: the second read is served from the SHA cache", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/git/blobs/abc")
      .reply(200, { encoding: "base64", content: b64("hi") });
    const s = source();
    expect(await s.readBlob(repo, "abc")).toBe("hi");
    expect(await s.readBlob(repo, "abc")).toBe("hi");
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("revalidates a default-branch file with its ETag and uses the cached copy on 304", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/contents/.github%2Fcountersign.yml")
      .reply(200, { type: "file", content: b64("version: 1\n") }, { etag: '"v1"' })
      .get("/repos/acme/deploy/contents/.github%2Fcountersign.yml")
      .matchHeader("if-none-match", '"v1"')
      .reply(304);
    const s = source();
    expect(await s.readFileAtDefaultBranch(repo, ".github/countersign.yml")).toBe("version: 1\n");
    expect(await s.readFileAtDefaultBranch(repo, ".github/countersign.yml")).toBe("version: 1\n");
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("fails closed on a truncated tree", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/git/trees/c0ffee")
      .query(true)
      .reply(200, { tree: [], truncated: true });
    await expect(source().listTree(repo, "c0ffee", [""])).rejects.toThrow(/truncated/);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("paginates reviews and maps them to the domain", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/pulls/7/reviews")
      .query({ per_page: "100" })
      .reply(
        200,
        [
          {
            id: 1,
            user: { login: "alice", type: "User" },
            state: "APPROVED",
            commit_id: "h1",
            submitted_at: "t1",
            author_association: "MEMBER",
          },
        ],
        {
          link: '<https://api.github.com/repos/acme/deploy/pulls/7/reviews?per_page=100&page=2>; rel="next"',
        },
      )
      .get("/repos/acme/deploy/pulls/7/reviews")
      .query({ per_page: "100", page: "2" })
      .reply(200, [
        {
          id: 2,
          user: { login: "ci[bot]", type: "Bot" },
          state: "COMMENTED",
          commit_id: "h1",
          submitted_at: "t2",
        },
      ]);
    const reviews = await source().listReviews(repo, 7);
    expect(scope.pendingMocks()).toEqual([]);
    expect(reviews).toEqual([
      {
        id: 1,
        login: "alice",
        state: "APPROVED",
        commitId: "h1",
        submittedAt: "t1",
        isBot: false,
        association: "MEMBER",
      },
      {
        id: 2,
        login: "ci[bot]",
        state: "COMMENTED",
        commitId: "h1",
        submittedAt: "t2",
        isBot: true,
        association: undefined,
      },
    ]);
  });

  it("caches team members briefly and treats an unknown team as empty", async () => {
    const scope = nock(API)
      .get("/orgs/acme/teams/sre/members")
      .query(true)
      .reply(200, [{ login: "Alice" }])
      .get("/orgs/acme/teams/ghost/members")
      .query(true)
      .reply(404, { message: "Not Found" });
    const s = source();
    expect([...(await s.teamMembers("acme", "sre"))]).toEqual(["alice"]);
    expect([...(await s.teamMembers("acme", "sre"))]).toEqual(["alice"]);
    expect([...(await s.teamMembers("acme", "ghost"))]).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("underPaths", () => {
  it.each([
    // A file inside a managed directory.
    ["clusters/prod/a.yaml", ["clusters/prod"], true],
    // A sibling directory sharing a prefix is not inside.
    ["clusters/production/a.yaml", ["clusters/prod"], false],
    // The root ("") holds everything.
    ["README.md", [""], true],
  ])("%s under %j is %s", (file, paths, expected) => {
    expect(underPaths(file, paths)).toBe(expected);
  });
});
