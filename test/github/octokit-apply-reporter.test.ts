import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOctokitClass } from "../../src/clients/github.js";
import { OctokitApplyReporter } from "../../src/github/octokit-apply-reporter.js";
import type { GitHubClient } from "../../src/github/octokit-pull-request-source.js";

const repo = { owner: "acme", repo: "gitops" };
const API = "https://api.github.com";
const SHA = "a".repeat(40);
const MARKER = "<!-- countersign:apply:prod -->";

function reporter(): OctokitApplyReporter {
  const Octokit = buildOctokitClass({ testing: true });
  return new OctokitApplyReporter(new Octokit({ auth: "t" }) as unknown as GitHubClient, 42);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("OctokitApplyReporter", () => {
  it("sets the commit status with the description cut to 140 characters", async () => {
    const scope = nock(API)
      .post(
        `/repos/acme/gitops/statuses/${SHA}`,
        (body: { description: string; state: string; context: string }) =>
          body.description.length === 140 && body.state === "failure" && body.context === "countersign/apply",
      )
      .reply(201, {});
    await reporter().setStatus(repo, SHA, "countersign/apply", "failure", "x".repeat(300));
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("updates its own sticky comment, not a pasted copy of the marker", async () => {
    const scope = nock(API)
      .get("/repos/acme/gitops/issues/7/comments")
      .query(true)
      .reply(200, [
        { id: 1, body: `${MARKER} pasted by a person`, user: { type: "User" } },
        { id: 2, body: `${MARKER} old`, user: { type: "Bot" }, performed_via_github_app: { id: 42 } },
      ])
      .patch("/repos/acme/gitops/issues/comments/2", (body: { body: string }) =>
        body.body.includes("applied"),
      )
      .reply(200, { id: 2 })
      .patch("/repos/acme/gitops/issues/comments/2")
      .reply(200, { id: 2 });
    const r = reporter();
    await r.upsertPullComment(repo, 7, MARKER, `${MARKER}\napplied`);
    await r.upsertPullComment(repo, 7, MARKER, `${MARKER}\napplied again`); // the id is remembered
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("creates the comment when there is none, and comments on a direct-push commit", async () => {
    const scope = nock(API)
      .get("/repos/acme/gitops/issues/8/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/gitops/issues/8/comments")
      .reply(201, { id: 9 })
      .post(`/repos/acme/gitops/commits/${SHA}/comments`)
      .reply(201, { id: 10 });
    const r = reporter();
    await r.upsertPullComment(repo, 8, MARKER, "refused");
    await r.commentOnCommit(repo, SHA, "refused");
    expect(scope.pendingMocks()).toEqual([]);
  });
});
