import { describe, expect, it } from "vitest";
import { evaluateApproval } from "../../../src/core/approval/evaluate.js";
import type { ApprovalInput, IgnoreReason } from "../../../src/core/approval/evaluate.js";
import type { Requirement, Review } from "../../../src/core/model.js";

const HEAD = "c".repeat(40);
const REBASED_OLD = "b".repeat(40); // an older head with the same change set (pure rebase)
const EDITED_OLD = "a".repeat(40); // an older head whose objects differed
const UNKNOWN = "f".repeat(40); // a head whose digest the gate could not compute

const DIGESTS: Record<string, string> = {
  [HEAD]: "digest-now",
  [REBASED_OLD]: "digest-now",
  [EDITED_OLD]: "digest-old",
};

const sre: Requirement = { approvals: 1, teams: ["org/sre"], users: [], auto: false };
const two: Requirement = { approvals: 2, teams: ["org/sre"], users: ["carol"], auto: false };
const open: Requirement = { approvals: 1, teams: [], users: [], auto: false };
const auto: Requirement = { approvals: 0, teams: [], users: [], auto: true };

let nextId = 1;
function review(login: string, state: Review["state"], extra: Partial<Review> = {}): Review {
  const id = nextId++;
  return {
    id,
    login,
    state,
    commitId: HEAD,
    submittedAt: `2026-01-01T10:${String(id).padStart(2, "0")}:00Z`,
    isBot: false,
    association: "MEMBER",
    ...extra,
  };
}

function input(
  requirement: Requirement,
  reviews: Review[],
  extra: Partial<ApprovalInput> = {},
): ApprovalInput {
  return {
    requirement,
    reviews,
    author: "agent-author",
    committers: ["agent-author", "Pusher"],
    agents: ["deploy-agent"],
    extraReviewers: { users: [], teams: [] },
    teamMembers: new Map([["org/sre", new Set(["Alice", "bob", "pusher", "deploy-agent", "agent-author"])]]),
    currentDigest: "digest-now",
    digestAt: (sha) => DIGESTS[sha],
    ...extra,
  };
}

interface Case {
  name: string;
  input: ApprovalInput;
  satisfied: boolean;
  approvers: string[];
  blocking?: string[];
  ignored?: [string, IgnoreReason][];
}

const cases: Case[] = [
  // Proves a single eligible team member's approval on the current head satisfies a 1-approval requirement.
  {
    name: "team member approves",
    input: input(sre, [review("alice", "APPROVED")]),
    satisfied: true,
    approvers: ["alice"],
  },
  // Proves the PR author never counts, even as a member of the listed team.
  {
    name: "self-approval by the author",
    input: input(sre, [review("agent-author", "APPROVED")]),
    satisfied: false,
    approvers: [],
    ignored: [["agent-author", "author"]],
  },
  // Proves an account that pushed commits to the PR never counts (case-insensitive match of the login).
  {
    name: "approval by a pusher",
    input: input(sre, [review("PUSHER", "APPROVED")]),
    satisfied: false,
    approvers: [],
    ignored: [["PUSHER", "committer"]],
  },
  // Proves an agent account from the repo config never counts, even when it is in the team.
  {
    name: "approval by an agent",
    input: input(sre, [review("Deploy-Agent", "APPROVED")]),
    satisfied: false,
    approvers: [],
    ignored: [["Deploy-Agent", "agent"]],
  },
  // Proves a bot (flagged by GitHub) never counts, even when listed by name.
  {
    name: "approval by a bot (isBot)",
    input: input({ ...sre, users: ["helper"] }, [review("helper", "APPROVED", { isBot: true })]),
    satisfied: false,
    approvers: [],
    ignored: [["helper", "bot"]],
  },
  // Proves a `[bot]` login counts as a bot even when GitHub's flag is missing.
  {
    name: "approval by a [bot] login",
    input: input({ ...sre, users: ["renovate[bot]"] }, [review("renovate[bot]", "APPROVED")]),
    satisfied: false,
    approvers: [],
    ignored: [["renovate[bot]", "bot"]],
  },
  // Proves an approval given on a head with different content does not count for the current head.
  {
    name: "approval on an old head with different content",
    input: input(sre, [review("alice", "APPROVED", { commitId: EDITED_OLD })]),
    satisfied: false,
    approvers: [],
    ignored: [["alice", "stale-content"]],
  },
  // Proves an approval survives a pure rebase: the old head's change-set digest equals the current one.
  {
    name: "approval carried across a pure rebase",
    input: input(sre, [review("alice", "APPROVED", { commitId: REBASED_OLD })]),
    satisfied: true,
    approvers: ["alice"],
  },
  // Proves an approval on a head whose digest is unknown does not count (fail closed).
  {
    name: "approval on a head with unknown content",
    input: input(sre, [review("alice", "APPROVED", { commitId: UNKNOWN })]),
    satisfied: false,
    approvers: [],
    ignored: [["alice", "stale-content"]],
  },
  // Proves CHANGES_REQUESTED from an eligible reviewer blocks even when enough others approved.
  {
    name: "changes requested blocks",
    input: input(sre, [review("alice", "APPROVED"), review("bob", "CHANGES_REQUESTED")]),
    satisfied: false,
    approvers: ["alice"],
    blocking: ["bob"],
  },
  // Proves a later approval by the same reviewer lifts their changes request.
  {
    name: "changes requested then approved by the same reviewer",
    input: input(sre, [review("bob", "CHANGES_REQUESTED"), review("bob", "APPROVED")]),
    satisfied: true,
    approvers: ["bob"],
  },
  // Proves a changes request on an older head still blocks (it stands until re-reviewed or dismissed).
  {
    name: "changes requested on an older head still blocks",
    input: input(sre, [
      review("bob", "CHANGES_REQUESTED", { commitId: EDITED_OLD }),
      review("alice", "APPROVED"),
    ]),
    satisfied: false,
    approvers: ["alice"],
    blocking: ["bob"],
  },
  // Proves a changes request from someone not eligible does not block.
  {
    name: "changes requested by a non-eligible reviewer",
    input: input(sre, [review("mallory", "CHANGES_REQUESTED"), review("alice", "APPROVED")]),
    satisfied: true,
    approvers: ["alice"],
    ignored: [["mallory", "not-eligible"]],
  },
  // Proves an agent cannot block a PR with a changes request.
  {
    name: "changes requested by an agent",
    input: input(sre, [review("deploy-agent", "CHANGES_REQUESTED"), review("alice", "APPROVED")]),
    satisfied: true,
    approvers: ["alice"],
    ignored: [["deploy-agent", "agent"]],
  },
  // Proves a dismissed review cancels the reviewer's approval.
  {
    name: "dismissed approval",
    input: input(sre, [review("alice", "DISMISSED")]),
    satisfied: false,
    approvers: [],
    ignored: [["alice", "dismissed"]],
  },
  // Proves a dismissed changes request no longer blocks.
  {
    name: "dismissed changes request",
    input: input(sre, [review("bob", "DISMISSED"), review("alice", "APPROVED")]),
    satisfied: true,
    approvers: ["alice"],
    ignored: [["bob", "dismissed"]],
  },
  // Proves team members count case-insensitively (team map holds "Alice", the review says "ALICE", the team "ORG/SRE").
  {
    name: "team membership is case-insensitive",
    input: input({ ...sre, teams: ["ORG/SRE"] }, [review("ALICE", "APPROVED")]),
    satisfied: true,
    approvers: ["ALICE"],
  },
  // Proves a reviewer outside the listed team does not count, whatever their association.
  {
    name: "non-member of the team",
    input: input(sre, [review("mallory", "APPROVED", { association: "OWNER" })]),
    satisfied: false,
    approvers: [],
    ignored: [["mallory", "not-eligible"]],
  },
  // Proves the repo config's extra reviewers are eligible too.
  {
    name: "extra reviewer from the repo config",
    input: input(sre, [review("dave", "APPROVED")], { extraReviewers: { users: ["Dave"], teams: [] } }),
    satisfied: true,
    approvers: ["dave"],
  },
  // Proves the latest review wins: an approval after a dismissal counts.
  {
    name: "latest review wins",
    input: input(sre, [
      review("alice", "APPROVED", { submittedAt: "2026-01-01T12:00:00Z" }),
      review("alice", "CHANGES_REQUESTED", { submittedAt: "2026-01-01T11:00:00Z" }),
    ]),
    satisfied: true,
    approvers: ["alice"],
  },
  // Proves the review id breaks a tie on submittedAt (the higher id is later).
  {
    name: "same timestamp: higher id wins",
    input: input(sre, [
      review("alice", "CHANGES_REQUESTED", { id: 91, submittedAt: "2026-01-01T11:00:00Z" }),
      review("alice", "APPROVED", { id: 90, submittedAt: "2026-01-01T11:00:00Z" }),
    ]),
    satisfied: false,
    approvers: [],
    blocking: ["alice"],
  },
  // Proves a COMMENTED review after an approval keeps the approval (GitHub semantics).
  {
    name: "COMMENTED after APPROVED keeps the approval",
    input: input(sre, [review("alice", "APPROVED"), review("alice", "COMMENTED")]),
    satisfied: true,
    approvers: ["alice"],
  },
  // Proves a PENDING (unsubmitted) review neither approves nor replaces an approval.
  {
    name: "PENDING after APPROVED keeps the approval",
    input: input(sre, [review("alice", "APPROVED"), review("alice", "PENDING")]),
    satisfied: true,
    approvers: ["alice"],
  },
  // Proves an auto level is satisfied with zero approvals.
  { name: "auto level", input: input(auto, []), satisfied: true, approvers: [] },
  // Proves a changes request by an eligible reviewer blocks even an auto level (fail closed).
  {
    name: "auto level with a changes request",
    input: input(auto, [review("bob", "CHANGES_REQUESTED", { association: "COLLABORATOR" })]),
    satisfied: false,
    approvers: [],
    blocking: ["bob"],
  },
  // Proves one eligible approval is not enough for a requirement of 2, and the ineligible one is reported.
  {
    name: "requirement of 2 with 1 eligible approval",
    input: input(two, [review("alice", "APPROVED"), review("mallory", "APPROVED")]),
    satisfied: false,
    approvers: ["alice"],
    ignored: [["mallory", "not-eligible"]],
  },
  // Proves a listed user and a team member together satisfy a requirement of 2.
  {
    name: "requirement of 2 met by a user and a team member",
    input: input(two, [review("carol", "APPROVED", { association: "NONE" }), review("bob", "APPROVED")]),
    satisfied: true,
    approvers: ["bob", "carol"],
  },
  // Proves two reviews by one person count once.
  {
    name: "two approvals by one reviewer count once",
    input: input(two, [review("alice", "APPROVED"), review("Alice", "APPROVED")]),
    satisfied: false,
    approvers: ["Alice"],
  },
  // Proves that with no users/teams, OWNER/MEMBER/COLLABORATOR reviewers are eligible.
  {
    name: "association-based eligibility: collaborator",
    input: input(open, [review("zoe", "APPROVED", { association: "COLLABORATOR" })]),
    satisfied: true,
    approvers: ["zoe"],
  },
  // Proves that with no users/teams, a CONTRIBUTOR (or unknown association) is not eligible.
  {
    name: "association-based eligibility: contributor and unknown",
    input: input(open, [
      review("zed", "APPROVED", { association: "CONTRIBUTOR" }),
      review("yan", "APPROVED", { association: undefined }),
    ]),
    satisfied: false,
    approvers: [],
    ignored: [
      ["yan", "not-eligible"],
      ["zed", "not-eligible"],
    ],
  },
  // Proves association never widens a requirement that names teams.
  {
    name: "association ignored when teams are listed",
    input: input(sre, [review("zoe", "APPROVED", { association: "OWNER" })]),
    satisfied: false,
    approvers: [],
    ignored: [["zoe", "not-eligible"]],
  },
  // Proves a team absent from the membership map makes nobody eligible (fail closed).
  {
    name: "unknown team membership",
    input: input(sre, [review("alice", "APPROVED")], { teamMembers: new Map() }),
    satisfied: false,
    approvers: [],
    ignored: [["alice", "not-eligible"]],
  },
];

describe("evaluateApproval", () => {
  it.each(cases)("$name", (c) => {
    const verdict = evaluateApproval(c.input);
    expect(verdict.satisfied).toBe(c.satisfied);
    expect(verdict.approvers.map((a) => a.login)).toEqual(c.approvers);
    expect(verdict.blocking.map((b) => b.login)).toEqual(c.blocking ?? []);
    expect(verdict.ignored.map((r) => [r.login, r.reason])).toEqual(c.ignored ?? []);
  });

  it("reports the requirement, the count needed and auto", () => {
    const verdict = evaluateApproval(input(auto, []));
    expect(verdict).toMatchObject({ auto: true, needed: 0, requirement: auto, byAssociation: true });
    expect(evaluateApproval(input(two, [])).needed).toBe(2);
  });

  it("keeps review ids and times of counted approvers", () => {
    const r = review("alice", "APPROVED", { id: 4242, submittedAt: "2026-02-03T04:05:06Z" });
    expect(evaluateApproval(input(sre, [r])).approvers).toEqual([
      { login: "alice", reviewId: 4242, submittedAt: "2026-02-03T04:05:06Z" },
    ]);
  });
});
