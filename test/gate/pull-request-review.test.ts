import nock from "nock";
import { describe, expect, it } from "vitest";
import { decodeApprovalRecord } from "../../src/core/approval/record.js";
import {
  GitHubScope,
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
): GitHubScope {
  return new GitHubScope()
    .token()
    .config()
    .startCheck(1)
    .compare(BASE, HEAD, MERGE_BASE)
    .tree(MERGE_BASE, baseFiles)
    .tree(HEAD, headFiles)
    .blobs(baseFiles["clusters/prod/web.yaml"], headFiles["clusters/prod/web.yaml"])
    .reviews(reviews)
    .commits(commits)
    .team("acme", "sre", ["alice", "pusher", "deploy-agent", "carol"])
    .completeCheck(1);
}

async function receiveReview(reviewer: string): Promise<void> {
  const { probot } = await createTestGate();
  await probot.receive({
    id: "r-1",
    name: "pull_request_review",
    payload: reviewPayload({ head: HEAD, base: BASE, reviewer }),
  } as never);
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
    ["an approval on an old head with different content does not count", "0".repeat(64), "action_required"],
    // A rebase: the old head's digest equals the current one, so the approval carries over.
    ["an approval carried across a pure rebase counts", "CURRENT", "success"],
  ])("%s", async (_case, oldDigest, conclusion) => {
    // The digest of the current head, as the gate computes it, is learned from a first evaluation.
    const probe = reviewScope([]);
    await receiveReview("nobody");
    const current = String(probe.checkUpdates()[0]?.["external_id"]);
    nock.cleanAll();
    const gh = reviewScope([{ id: 15, login: "alice", state: "APPROVED", commit: OLD_HEAD }]).checksForRef(
      OLD_HEAD,
      [{ id: 99, externalId: oldDigest === "CURRENT" ? current : oldDigest }],
    );
    await receiveReview("alice");
    expect(unmatched.list).toEqual([]);
    expect(gh.scope.pendingMocks()).toEqual([]);
    expect(completed(gh).conclusion).toBe(conclusion);
  });
});
