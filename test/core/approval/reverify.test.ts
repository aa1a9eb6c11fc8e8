import { describe, expect, it } from "vitest";
import { reverifyApprovalRecord } from "../../../src/core/approval/reverify.js";
import type { ReverifyInput } from "../../../src/core/approval/reverify.js";
import type { ApprovalRecord, Requirement, Review } from "../../../src/core/model.js";
import { hex } from "./plan-fixture.js";

const APPROVED_HEAD = "a".repeat(40);
const LATER_HEAD = "b".repeat(40);
const sre: Requirement = { approvals: 1, teams: ["org/sre"], users: [], auto: false };

const record: ApprovalRecord = {
  schema: 2,
  repository: "org/infra",
  pullRequest: 7,
  author: "bob",
  headSha: APPROVED_HEAD,
  baseSha: "2".repeat(40),
  changeSetDigest: hex("d"),
  protectedFiles: [],
  level: "high",
  auto: false,
  changes: [{ key: "apps/Deployment/prod/web", op: "update", afterDigest: hex("a"), level: "high" }],
  approvers: [{ login: "alice", reviewId: 10, submittedAt: "2026-01-01T10:00:00Z" }],
  policyDigest: hex("e"),
  createdAt: "2026-01-01T11:00:00Z",
};

function review(id: number, login: string, state: Review["state"], commitId = APPROVED_HEAD): Review {
  return {
    id,
    login,
    state,
    commitId,
    submittedAt: `2026-01-01T10:00:${String(id).padStart(2, "0")}Z`,
    isBot: false,
  };
}

function input(reviews: Review[], extra: Partial<ReverifyInput> = {}): ReverifyInput {
  return {
    requirement: sre,
    reviews,
    author: "agent",
    committers: ["agent"],
    agents: ["agent"],
    extraReviewers: { users: [], teams: [] },
    teamMembers: new Map([["org/sre", new Set(["alice", "bob"])]]),
    ...extra,
  };
}

describe("reverifyApprovalRecord", () => {
  it.each([
    // Proves the recorded approval, unchanged, still satisfies the requirement.
    ["recorded approval stands", input([review(10, "alice", "APPROVED")]), true, ["alice"]],
    // Proves a recorded review dismissed since no longer counts.
    ["recorded review dismissed", input([review(10, "alice", "DISMISSED")]), false, []],
    // Proves an approver who left the team no longer counts.
    [
      "approver left the team",
      input([review(10, "alice", "APPROVED")], { teamMembers: new Map() }),
      false,
      [],
    ],
    // Proves an eligible reviewer now requesting changes blocks.
    [
      "changes requested since",
      input([review(10, "alice", "APPROVED"), review(11, "bob", "CHANGES_REQUESTED", LATER_HEAD)]),
      false,
      ["alice"],
    ],
    // Proves another approval on the same recorded head counts (same content).
    [
      "other approval on the recorded head",
      input([review(10, "alice", "DISMISSED"), review(12, "bob", "APPROVED")]),
      true,
      ["bob"],
    ],
    // Proves an approval on a head the record does not vouch for does not count (content unknown).
    ["approval on an unknown head", input([review(12, "bob", "APPROVED", LATER_HEAD)]), false, []],
    // Proves a record whose reviews are gone entirely is no longer approved.
    ["no reviews left", input([]), false, []],
  ])("%s", (_name, given, satisfied, approvers) => {
    const verdict = reverifyApprovalRecord(record, given);
    expect(verdict.satisfied).toBe(satisfied);
    expect(verdict.approvers.map((a) => a.login)).toEqual(approvers);
  });
});
