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

  it.each([
    // Below GitHub's cap the list is complete.
    [249, false],
    // At the cap GitHub may have left commits out: their accounts would be unknown.
    [250, true],
  ])("lists %i commits of a PR, failing closed at GitHub's 250 cap: %s", async (count, fails) => {
    const commits = Array.from({ length: count }, (_, i) => ({
      sha: i.toString(16).padStart(40, "0"),
      author: { login: "deploy-agent" },
      committer: null,
    }));
    const link = (next: number): Record<string, string> => ({
      link: `<${API}/repos/acme/deploy/pulls/7/commits?per_page=100&page=${next}>; rel="next"`,
    });
    const scope = nock(API)
      .get("/repos/acme/deploy/pulls/7/commits")
      .query({ per_page: "100" })
      .reply(200, commits.slice(0, 100), link(2))
      .get("/repos/acme/deploy/pulls/7/commits")
      .query({ per_page: "100", page: "2" })
      .reply(200, commits.slice(100, 200), link(3))
      .get("/repos/acme/deploy/pulls/7/commits")
      .query({ per_page: "100", page: "3" })
      .reply(200, commits.slice(200));
    const listed = source().listCommits(repo, 7);
    if (fails) await expect(listed).rejects.toThrow(/only the first 250/);
    else expect(await listed).toHaveLength(count);
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

describe("OctokitPullRequestSource.prefetchBlobs", () => {
  const shas = Array.from({ length: 12 }, (_, i) => String(i).padStart(40, "a"));
  const blobs = (list: string[], size = 100): { blobSha: string; size: number }[] =>
    list.map((blobSha) => ({ blobSha, size }));

  it("reads many blobs in one GraphQL query and serves them from the cache", async () => {
    let query = "";
    const scope = nock(API)
      .post("/graphql")
      .reply(200, (_path, body) => {
        query = (body as { query: string }).query;
        const repository = Object.fromEntries(
          shas.map((_, i) => [
            `b${i}`,
            i === 11
              ? { text: "cut", isTruncated: true }
              : { text: `content ${i}`, isBinary: false, isTruncated: false },
          ]),
        );
        return { data: { repository } };
      })
      // The truncated one is read through REST.
      .get(`/repos/acme/deploy/git/blobs/${shas[11]}`)
      .reply(200, { encoding: "base64", content: b64("full content 11") });
    const s = source();
    await s.prefetchBlobs(repo, blobs(shas));
    expect(query).toContain(`b0: object(oid: "${shas[0]}")`);
    expect(await s.readBlob(repo, shas[0] as string)).toBe("content 0");
    expect(await s.readBlob(repo, shas[11] as string)).toBe("full content 11");
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("splits batches so that one answer stays under 4 MiB, and leaves large blobs to REST", async () => {
    const sizes: number[] = [];
    const scope = nock(API)
      .post("/graphql")
      .times(3)
      .reply(200, (_path, body) => {
        const count = ((body as { query: string }).query.match(/object\(oid:/g) ?? []).length;
        sizes.push(count);
        return { data: { repository: {} } };
      });
    const many = Array.from({ length: 31 }, (_, i) => String(i).padStart(40, "b"));
    // 30 blobs of 400 KiB: 10 per batch; one blob of 1 MiB is left for REST.
    await source().prefetchBlobs(repo, [
      ...blobs(many.slice(0, 30), 400 * 1024),
      ...blobs(many.slice(30), 1024 * 1024),
    ]);
    expect(sizes).toEqual([10, 10, 10]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it.each([
    // Few blobs: no GraphQL at all (REST per blob is cheaper).
    ["few blobs", 3, 0],
    // GraphQL failing: silently left to REST.
    ["a GraphQL error", 12, 500],
  ])("does nothing visible for %s", async (_case, count, status) => {
    const scope = status === 0 ? nock(API) : nock(API).post("/graphql").reply(status, { message: "boom" });
    await expect(source().prefetchBlobs(repo, blobs(shas.slice(0, count)))).resolves.toBeUndefined();
    expect(scope.pendingMocks()).toEqual([]);
  });
});
