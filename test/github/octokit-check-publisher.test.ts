import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { COMMENT_MARKER } from "../../src/core/constants.js";
import type { CheckAnnotation } from "../../src/core/ports/pull-request-source.js";
import { createGitHubCaches } from "../../src/github/github-caches.js";
import { OctokitCheckPublisher, fitGitHubText } from "../../src/github/octokit-check-publisher.js";
import type { GitHubClient } from "../../src/github/octokit-pull-request-source.js";

const repo = { owner: "acme", repo: "deploy" };
const API = "https://api.github.com";

function publisher(): OctokitCheckPublisher {
  const Octokit = buildOctokitClass({ testing: true });
  const octokit = new Octokit({ auth: "test-token" }) as unknown as GitHubClient;
  return new OctokitCheckPublisher(
    octokit,
    createGitHubCaches(),
    123,
    () => new Date("2026-01-02T00:00:00Z"),
  );
}

function annotations(n: number): CheckAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: "a.yaml",
    startLine: i + 1,
    endLine: i + 1,
    level: "warning" as const,
    message: `m${i}`,
  }));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("OctokitCheckPublisher.completeCheck", () => {
  it.each([
    // No annotation: one request.
    [0, [0]],
    // Exactly the limit: still one request.
    [50, [50]],
    // One over: a second request carries the rest.
    [51, [50, 1]],
    // 120 annotations: 50 + 50 + 20.
    [120, [50, 50, 20]],
  ])("sends %i annotations in batches of at most 50", async (count, batches) => {
    const seen: number[] = [];
    const scope = nock(API)
      .patch("/repos/acme/deploy/check-runs/9")
      .times(batches.length)
      .reply(200, (_path, body) => {
        seen.push(((body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length);
        return {};
      });
    await publisher().completeCheck(repo, 9, {
      conclusion: "success",
      title: "t",
      summary: "s",
      annotations: annotations(count),
    });
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen).toEqual(batches);
  });

  it("keeps the summary within GitHub's limit", async () => {
    let summary = "";
    const scope = nock(API)
      .patch("/repos/acme/deploy/check-runs/9")
      .reply(200, (_path, body) => {
        summary = (body as { output: { summary: string } }).output.summary;
        return {};
      });
    await publisher().completeCheck(repo, 9, {
      conclusion: "failure",
      title: "t",
      summary: "x".repeat(100_000),
      annotations: [],
    });
    expect(scope.pendingMocks()).toEqual([]);
    expect(summary.length).toBe(65_535);
    expect(summary.endsWith("(truncated to fit GitHub's limit)")).toBe(true);
  });
});

describe("OctokitCheckPublisher.upsertStickyComment", () => {
  it("updates the app's own marked comment, not a user's comment that copies the marker", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/issues/7/comments")
      .query(true)
      .reply(200, [
        {
          id: 1,
          body: `${COMMENT_MARKER} fake`,
          user: { login: "mallory", type: "User" },
          performed_via_github_app: null,
        },
        {
          id: 2,
          body: `${COMMENT_MARKER} old`,
          user: { login: "countersign[bot]", type: "Bot" },
          performed_via_github_app: { id: 123 },
        },
      ])
      .patch("/repos/acme/deploy/issues/comments/2")
      .reply(200, { id: 2 });
    const p = publisher();
    await p.upsertStickyComment(repo, 7, `${COMMENT_MARKER}\nnew`);
    // The same body again: nothing to write, no request at all.
    await p.upsertStickyComment(repo, 7, `${COMMENT_MARKER}\nnew`);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("posts a new comment when the remembered one was deleted", async () => {
    const scope = nock(API)
      .get("/repos/acme/deploy/issues/7/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/deploy/issues/7/comments")
      .reply(201, { id: 3 })
      .patch("/repos/acme/deploy/issues/comments/3")
      .reply(404, { message: "Not Found" })
      .post("/repos/acme/deploy/issues/7/comments")
      .reply(201, { id: 4 });
    const p = publisher();
    await p.upsertStickyComment(repo, 7, "first");
    await p.upsertStickyComment(repo, 7, "second");
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("fitGitHubText", () => {
  it.each([
    // Short text is unchanged.
    ["abc", 10, "abc"],
    // Long text is cut to exactly the limit.
    ["a".repeat(100), 60, 60],
  ])("fits %#", (text, limit, expected) => {
    const out = fitGitHubText(text, limit);
    expect(typeof expected === "number" ? out.length : out).toBe(expected);
  });
});
