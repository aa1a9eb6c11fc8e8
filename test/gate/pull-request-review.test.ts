import nock from "nock";
import { describe, expect, it } from "vitest";
import { decodeApprovalRecord } from "../../src/core/approval/record.js";
import {
  CONFIG,
  GitHubScope,
  pullRequestPayload,
  configMap,
  createTestGate,
  deployment,
  reviewPayload,
  sha,
  isolateGitHub,
} from "./harness.js";

const BASE = sha("base");
const HEAD = sha("head");
const OLD_HEAD = sha("old-head");
const MERGE_BASE = sha("merge-base");

const unmatched = isolateGitHub();

const baseFiles = {
  "clusters/prod/web.yaml": deployment("web", "nginx:1.0"),
  "clusters/prod/settings.yaml": configMap("settings", "a"),
};
const headFiles = { ...baseFiles, "clusters/prod/web.yaml": deployment("web", "nginx:1.1") };

type ReviewRow = Parameters<GitHubScope["reviews"]>[0][number];

/** The calls of a review event on a medium-risk PR (1 approval from acme/sre). */
function reviewScope(
  reviews: ReviewRow[],
  commits = [{ author: "deploy-agent", committer: "pusher" }],
  headRuns: Parameters<GitHubScope["checksForRef"]>[1] = [],
): GitHubScope {
  const gh = new GitHubScope()
    .token()
    .config()
    .publishCheck(1)
    .compare(BASE, HEAD, MERGE_BASE)
    .tree(MERGE_BASE, baseFiles)
    .tree(HEAD, headFiles)
    .blobs(baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"])
    .reviews(reviews)
    .commits(commits)
    .team("acme", "sre", ["alice", "pusher", "deploy-agent", "carol"]);
  // An approval on the head: the app's runs on it tell whether its content changed since.
  if (reviews.some((r) => r.state === "APPROVED" && r.commit === HEAD)) gh.checksForRef(HEAD, headRuns);
  return gh;
}

async function receiveReview(reviewer: string, head = HEAD): Promise<void> {
  const { probot } = await createTestGate();
  await probot.receive({
    id: "r-1",
    name: "pull_request_review",
    payload: reviewPayload({ head, base: BASE, reviewer }),
  } as never);
}

/** A review event on `head` of a PR that also changes `.github/countersign.yml` (critical: 2 from acme/sre). */
function configChangeScope(head: string, config: string, reviews: ReviewRow[]): GitHubScope {
  const base = { ...baseFiles, ".github/countersign.yml": CONFIG };
  return new GitHubScope()
    .token()
    .config()
    .publishCheck(1)
    .compare(BASE, head, MERGE_BASE)
    .tree(MERGE_BASE, base)
    .tree(head, { ...headFiles, ".github/countersign.yml": config })
    .blobs(baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"])
    .reviews(reviews)
    .commits()
    .team("acme", "sre", ["alice", "carol"]);
}

function completed(gh: GitHubScope): { conclusion: unknown; title: unknown; text: unknown } {
  const [done] = gh.checkUpdates();
  const output = done?.["output"] as Record<string, unknown>;
  return { conclusion: done?.["conclusion"], title: output["title"], text: output["text"] };
}

describe("pull_request_review", () => {
  it("re-evaluates on an approval and writes the approval record into the check run", async () => {
    const gh = reviewScope([{ id: 11, login: "alice", state: "APPROVED", commit: HEAD }]);
    await receiveReview("alice");
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const result = completed(gh);
    expect(result.conclusion).toBe("success");
    expect({ title: result.title }).toMatchSnapshot();
    const record = decodeApprovalRecord(String(result.text));
    expect(record).toMatchObject({
      repository: "acme/deploy",
      pullRequest: 7,
      headSha: HEAD,
      baseSha: MERGE_BASE,
      level: "medium",
      approvers: [{ login: "alice", reviewId: 11 }],
      createdAt: "2026-01-02T03:04:05.000Z",
    });
    expect(record?.changes).toEqual([
      {
        key: "apps/Deployment/web/web",
        op: "update",
        afterDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        level: "medium",
      },
    ]);
    // Review events update the check run only: no comment write.
    expect(gh.commentWrites()).toEqual([]);
  });

  it.each([
    // The PR author (the agent) approving its own PR does not count.
    ["self-approval by the author", "deploy-agent"],
    // An account that pushed a commit to the PR does not count, even as a team member.
    ["approval by a pusher", "pusher"],
  ])("%s does not count", async (_case, login) => {
    const gh = reviewScope([{ id: 12, login, state: "APPROVED", commit: HEAD }]);
    await receiveReview(login);
    expect(gh.scope.pendingMocks()).toEqual([]);
    const result = completed(gh);
    expect(result.conclusion).toBe("action_required");
    expect(result.text).toBeUndefined();
  });

  it("blocks on changes requested by an eligible reviewer, whatever else approved", async () => {
    const gh = reviewScope([
      { id: 13, login: "alice", state: "APPROVED", commit: HEAD },
      { id: 14, login: "carol", state: "CHANGES_REQUESTED", commit: HEAD },
    ]);
    await receiveReview("carol");
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh)).toMatchObject({ conclusion: "failure", title: "changes requested by @carol" });
  });

  it.each([
    // The old head's recorded digest differs: that approval was for other content.
    ["an approval on an old head with different content does not count", ["0".repeat(64)], "action_required"],
    // A rebase: the old head's digest equals the current one, so the approval carries over.
    ["an approval carried across a pure rebase counts", ["CURRENT"], "success"],
    // The old head held two contents (its base changed): which one was approved is unknown.
    [
      "an approval on an old head that held two contents does not count",
      ["CURRENT", "0".repeat(64)],
      "action_required",
    ],
  ])("%s", async (_case, oldDigests, conclusion) => {
    // The digest of the current head, as the gate computes it, is learned from a first evaluation.
    const probe = reviewScope([]);
    await receiveReview("nobody");
    const current = String(probe.checkUpdates()[0]?.["external_id"]);
    nock.cleanAll();
    const gh = reviewScope([{ id: 15, login: "alice", state: "APPROVED", commit: OLD_HEAD }]).checksForRef(
      OLD_HEAD,
      oldDigests.map((d, i) => ({ id: 99 - i, externalId: d === "CURRENT" ? current : d })),
    );
    await receiveReview("alice");
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh).conclusion).toBe(conclusion);
  });

  it.each([
    // The approved head changed the configuration in another way: the approvals do not carry over.
    ["a different edit of the configuration drops the approvals", "users: [mallory]", "action_required"],
    // The same configuration edit on a rebased head: the approvals carry over.
    ["the same edit of the configuration keeps them", "users: [alice]", "success"],
  ])("config change approved on an old head: %s", async (_case, oldEdit, conclusion) => {
    const approvedConfig = `${CONFIG}reviewers:\n  ${oldEdit}\n`;
    const currentConfig = `${CONFIG}reviewers:\n  users: [alice]\n`;
    const probe = configChangeScope(OLD_HEAD, approvedConfig, []);
    await receiveReview("nobody", OLD_HEAD);
    expect(probe.scope.pendingMocks()).toEqual([]);
    const oldDigest = String(probe.checkUpdates()[0]?.["external_id"]);
    nock.cleanAll();
    const gh = configChangeScope(HEAD, currentConfig, [
      { id: 21, login: "alice", state: "APPROVED", commit: OLD_HEAD },
      { id: 22, login: "carol", state: "APPROVED", commit: OLD_HEAD },
    ]).checksForRef(OLD_HEAD, [{ id: 98, externalId: oldDigest }]);
    await receiveReview("carol");
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh)).toMatchObject({ conclusion, title: expect.stringMatching(/^critical risk/) });
  });

  it.each([
    // Approved while the head held other content (the PR's base changed since, same head SHA).
    ["before the base changed does not count", "2026-01-01T10:00:00Z", "action_required"],
    // Approved after this content was first evaluated on the head: it counts.
    ["after the base changed counts", "2026-01-02T04:00:00Z", "success"],
  ])("an approval of the current head made %s", async (_case, at, conclusion) => {
    const gh = reviewScope([{ id: 31, login: "alice", state: "APPROVED", commit: HEAD, at }], undefined, [
      // Evaluated against the old base: other content (digest), before the review.
      { id: 1, externalId: "0".repeat(64), startedAt: "2026-01-01T09:00:00Z" },
      // This evaluation, against the new base.
      { id: 2, status: "in_progress", startedAt: "2026-01-02T03:04:05.000Z" },
    ]);
    await receiveReview("alice");
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh).conclusion).toBe(conclusion);
  });

  it.each([
    // Carol pushed the head (commits authored as the agent): her approval does not count.
    ["carol herself", "carol", "action_required"],
    // Someone else pushed: carol's approval counts.
    ["another account", "deploy-agent", "success"],
  ])("an approval by carol when %s pushed the head", async (_case, pusher, conclusion) => {
    const { probot } = await createTestGate();
    const push = new GitHubScope()
      .token()
      .config()
      .publishCheck(1)
      .compare(BASE, HEAD, MERGE_BASE)
      .tree(MERGE_BASE, baseFiles)
      .tree(HEAD, headFiles)
      .blobs(baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"])
      .reviews([])
      .commits([{ author: "deploy-agent", committer: "deploy-agent" }])
      .team("acme", "sre", ["carol"])
      .listComments([])
      .createComment(500);
    const payload = pullRequestPayload({ head: HEAD, base: BASE, action: "synchronize" });
    (payload["sender"] as Record<string, unknown>)["login"] = pusher;
    await probot.receive({ id: "p-1", name: "pull_request", payload } as never);
    expect(push.scope.pendingMocks()).toEqual([]);
    nock.cleanAll();
    // The review event re-uses the plan of the head and the team (cached): no tree, no blob.
    const gh = new GitHubScope()
      .config()
      .publishCheck(2)
      .reviews([{ id: 41, login: "carol", state: "APPROVED", commit: HEAD }])
      .commits([{ author: "deploy-agent", committer: "deploy-agent" }])
      .checksForRef(HEAD, []);
    await probot.receive({
      id: "r-2",
      name: "pull_request_review",
      payload: reviewPayload({ head: HEAD, base: BASE, reviewer: "carol" }),
    } as never);
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh).conclusion).toBe(conclusion);
  });
});
