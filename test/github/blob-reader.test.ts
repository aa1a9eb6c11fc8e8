import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { GRAPHQL_BATCH, GitHubBlobReader, graphqlBatches } from "../../src/github/blob-reader.js";
import { createGitHubCaches } from "../../src/github/github-caches.js";
import type { GitHubCaches } from "../../src/github/github-caches.js";
import type { GitHubClient } from "../../src/clients/github.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "deploy" };

function reader(caches: GitHubCaches = createGitHubCaches()): GitHubBlobReader {
  const Octokit = buildOctokitClass({ testing: true });
  return new GitHubBlobReader(new Octokit({ auth: "test-token" }) as unknown as GitHubClient, caches);
}

const shas = (n: number, fill = "c"): string[] =>
  Array.from({ length: n }, (_, i) => String(i).padStart(40, fill));
const blobs = (list: string[], size = 100) => list.map((blobSha) => ({ blobSha, size }));

/** Answers every GraphQL blob query with `content <sha>`, recording how many blobs each asked for. */
function answerBlobs(scope: nock.Scope, times: number, counts: number[]): nock.Scope {
  return scope
    .post("/graphql")
    .times(times)
    .reply(200, (_path, body) => {
      const query = (body as { query: string }).query;
      const repository: Record<string, unknown> = {};
      for (const m of query.matchAll(/(b\d+): object\(oid: "([0-9a-f]+)"\)/g)) {
        repository[m[1] ?? ""] = { text: `content ${m[2]}`, isBinary: false, isTruncated: false };
      }
      counts.push(Object.keys(repository).length);
      return { data: { repository } };
    });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("graphqlBatches", () => {
  it("fills batches up to the blob count, then starts a new one", () => {
    const batches = graphqlBatches(blobs(shas(2 * GRAPHQL_BATCH + 1)));
    expect(batches.map((b) => b.length)).toEqual([GRAPHQL_BATCH, GRAPHQL_BATCH, 1]);
  });
});

describe("GitHubBlobReader.prefetchBlobs", () => {
  it("reads 1,000 blobs in four queries and serves them from the cache", async () => {
    const counts: number[] = [];
    const scope = answerBlobs(nock(API), 4, counts);
    const r = reader();
    const list = shas(1000);
    await r.prefetchBlobs(repo, blobs(list));
    expect(counts).toEqual([250, 250, 250, 250]);
    // no REST request: every blob came from a batch
    expect(await r.readBlob(repo, list[999] as string)).toBe(`content ${list[999]}`);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("remembers a server without GraphQL (501) and goes straight to REST next time", async () => {
    const caches = createGitHubCaches();
    const scope = nock(API).post("/graphql").reply(501, { message: "Not Implemented" });
    await reader(caches).prefetchBlobs(repo, blobs(shas(12)));
    expect(scope.pendingMocks()).toEqual([]);
    // A second evaluation (another reader, same process caches) sends no GraphQL query at all:
    // nock has no interceptor left, so one would fail the read.
    await reader(caches).prefetchBlobs(repo, blobs(shas(12, "d")));
    expect(caches.graphqlUnavailable.has("acme")).toBe(true);
  });

  it("does not remember a passing failure (502): the next evaluation tries GraphQL again", async () => {
    const caches = createGitHubCaches();
    nock(API).post("/graphql").reply(502, { message: "Bad Gateway" });
    await reader(caches).prefetchBlobs(repo, blobs(shas(12)));
    const counts: number[] = [];
    const scope = answerBlobs(nock(API), 1, counts);
    await reader(caches).prefetchBlobs(repo, blobs(shas(12)));
    expect(counts).toEqual([12]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});
