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

describe("OctokitCheckPublisher.publishCheck", () => {
  it.each([
    // Up to 50 annotations: the verdict is one request.
    [0, [0], []],
    [50, [50], []],
    // More: the run is created completed with the first 50, updates append the rest.
    [120, [50], [50, 20]],
  ])("creates the run completed, with %i annotations", async (count, created, appended) => {
    const posts: Record<string, unknown>[] = [];
    const patches: { annotations: number; text: unknown; conclusion: unknown }[] = [];
    const scope = nock(API)
      .post("/repos/acme/deploy/check-runs")
      .reply(201, (_path, body) => {
        posts.push(body as Record<string, unknown>);
        return { id: 9 };
      });
    if (appended.length > 0) {
      scope
        .patch("/repos/acme/deploy/check-runs/9")
        .times(appended.length)
        .reply(200, (_path, body) => {
          const b = body as { conclusion?: string; output: { annotations?: unknown[]; text?: string } };
          patches.push({
            annotations: (b.output.annotations ?? []).length,
            text: b.output.text,
            conclusion: b.conclusion,
          });
          return {};
        });
    }
    const id = await publisher().publishCheck(repo, "a".repeat(40), {
      conclusion: "success",
      title: "t",
      summary: "s",
      text: "record",
      annotations: annotations(count),
      externalId: "d".repeat(64),
    });
    expect(id).toBe(9);
    expect(scope.pendingMocks()).toEqual([]);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      name: "countersign",
      head_sha: "a".repeat(40),
      status: "completed",
      conclusion: "success",
      started_at: "2026-01-02T00:00:00.000Z",
      completed_at: "2026-01-02T00:00:00.000Z",
      external_id: "d".repeat(64),
      output: { title: "t", summary: "s", text: "record" },
    });
    expect(((posts[0]?.["output"] as { annotations: unknown[] }).annotations ?? []).length).toBe(created[0]);
    // Every update re-sends the record text and leaves the conclusion alone.
    expect(patches).toEqual(appended.map((n) => ({ annotations: n, text: "record", conclusion: undefined })));
  });
});

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
    const seen: { annotations: number; text: unknown; conclusion: unknown }[] = [];
    const scope = nock(API)
      .patch("/repos/acme/deploy/check-runs/9")
      .times(batches.length)
      .reply(200, (_path, body) => {
        const b = body as { conclusion?: string; output: { annotations?: unknown[]; text?: string } };
        seen.push({
          annotations: (b.output.annotations ?? []).length,
          text: b.output.text,
          conclusion: b.conclusion,
        });
        return {};
      });
    await publisher().completeCheck(repo, 9, {
      conclusion: "success",
      title: "t",
      summary: "s",
      text: "record",
      annotations: annotations(count),
    });
    expect(scope.pendingMocks()).toEqual([]);
    expect(seen.map((s) => s.annotations)).toEqual(batches);
    // Every request carries the text (the approval record); only the last one completes the run.
    expect(seen.map((s) => s.text)).toEqual(batches.map(() => "record"));
    expect(seen.map((s) => s.conclusion)).toEqual(
      batches.map((_, i) => (i === batches.length - 1 ? "success" : undefined)),
    );
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
    // GitHub counts the limit in UTF-8 bytes.
    expect(Buffer.byteLength(summary, "utf8")).toBe(65_535);
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

describe("OctokitCheckPublisher.listChecks", () => {
  it("reads every page of the app's runs on a commit, and only the app's", async () => {
    const run = (id: number, appId = 123) => ({
      id,
      name: "countersign",
      head_sha: "c0ffee",
      status: "completed",
      conclusion: "success",
      external_id: `d${id}`,
      started_at: "2026-01-01T00:00:00Z",
      output: { text: null },
      app: { id: appId },
    });
    const scope = nock(API)
      .get("/repos/acme/deploy/commits/c0ffee/check-runs")
      .query((q) => q["app_id"] === "123" && q["page"] === undefined)
      .reply(
        200,
        { total_count: 3, check_runs: [run(1), run(2, 999)] },
        {
          link: `<${API}/repos/acme/deploy/commits/c0ffee/check-runs?app_id=123&page=2>; rel="next"`,
        },
      )
      .get("/repos/acme/deploy/commits/c0ffee/check-runs")
      .query((q) => q["page"] === "2")
      .reply(200, { total_count: 3, check_runs: [run(3)] });
    const runs = await publisher().listChecks(repo, "c0ffee");
    expect(scope.pendingMocks()).toEqual([]);
    // The run of page 2 is there; the other app's run (999) is not.
    expect(runs.map((r) => [r.id, r.externalId, r.startedAt])).toEqual([
      [1, "d1", "2026-01-01T00:00:00Z"],
      [3, "d3", "2026-01-01T00:00:00Z"],
    ]);
  });
});

describe("fitGitHubText", () => {
  it.each([
    // Short text is unchanged.
    ["abc", 10, "abc"],
    // Long text is cut to exactly the limit.
    ["a".repeat(100), 60, 60],
    // GitHub counts UTF-8 bytes: 100 two-byte characters fit 60 bytes, not 60 characters.
    ["é".repeat(100), 60, 60],
    // A four-byte character is never split (no replacement character).
    ["😀".repeat(100), 61, 60],
  ])("fits %#", (text, limit, expected) => {
    const out = fitGitHubText(text, limit);
    if (typeof expected === "string") expect(out).toBe(expected);
    else {
      expect(Buffer.byteLength(out, "utf8")).toBeLessThanOrEqual(limit);
      expect(Buffer.byteLength(out, "utf8")).toBeGreaterThanOrEqual(expected - 3);
      expect(out).not.toContain("\uFFFD");
      expect(out.endsWith("(truncated to fit GitHub's limit)")).toBe(true);
    }
  });
});
