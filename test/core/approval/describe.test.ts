import { describe, expect, it } from "vitest";
import { describeVerdict, evaluateApproval } from "../../../src/core/approval/evaluate.js";
import type { ApprovalInput } from "../../../src/core/approval/evaluate.js";
import type { Requirement, Review, RiskLevel } from "../../../src/core/model.js";

const HEAD = "c".repeat(40);
const OLD = "a".repeat(40);

function review(id: number, login: string, state: Review["state"], commitId = HEAD): Review {
  return {
    id,
    login,
    state,
    commitId,
    submittedAt: `2026-01-01T10:00:${String(id).padStart(2, "0")}Z`,
    isBot: false,
  };
}

function verdictFor(requirement: Requirement, reviews: Review[]) {
  const input: ApprovalInput = {
    requirement,
    reviews,
    author: "agent-author",
    committers: ["agent-author"],
    agents: ["deploy-agent"],
    extraReviewers: { users: [], teams: [] },
    teamMembers: new Map([["org/sre", new Set(["alice", "bob", "carol", "dan", "erin"])]]),
    currentDigest: "now",
    digestAt: (sha) => (sha === HEAD ? "now" : sha === OLD ? "old" : undefined),
  };
  return evaluateApproval(input);
}

const high: Requirement = { approvals: 2, teams: ["org/sre"], users: [], auto: false };

const cases: { name: string; level: RiskLevel; requirement: Requirement; reviews: Review[] }[] = [
  // Proves the pending title counts approvals and names the team as plain text.
  { name: "pending", level: "high", requirement: high, reviews: [review(1, "alice", "APPROVED")] },
  // Proves a satisfied verdict names its approvers and succeeds.
  {
    name: "approved",
    level: "high",
    requirement: high,
    reviews: [review(1, "alice", "APPROVED"), review(2, "bob", "APPROVED")],
  },
  // Proves a changes request turns the check into a failure naming the reviewer.
  {
    name: "changes requested",
    level: "high",
    requirement: high,
    reviews: [review(1, "alice", "APPROVED"), review(2, "bob", "CHANGES_REQUESTED")],
  },
  // Proves an auto level reads as auto-approved.
  {
    name: "auto",
    level: "low",
    requirement: { approvals: 0, teams: [], users: [], auto: true },
    reviews: [],
  },
  // Proves ignored reviews are listed with their reasons and logins are code spans (no mentions).
  {
    name: "ignored reviews",
    level: "medium",
    requirement: { approvals: 1, teams: ["org/sre"], users: ["zoe"], auto: false },
    reviews: [
      review(1, "agent-author", "APPROVED"),
      review(2, "deploy-agent", "APPROVED"),
      review(3, "alice", "APPROVED", OLD),
      review(4, "mallory", "APPROVED"),
      review(5, "bob", "DISMISSED"),
    ],
  },
  // Proves association-based eligibility is described without naming anyone.
  {
    name: "by association",
    level: "medium",
    requirement: { approvals: 1, teams: [], users: [], auto: false },
    reviews: [],
  },
  // Proves long blocker lists are shortened in the title.
  {
    name: "many blockers",
    level: "critical",
    requirement: high,
    reviews: ["alice", "bob", "carol", "dan", "erin"].map((l, i) => review(i + 1, l, "CHANGES_REQUESTED")),
  },
];

describe("describeVerdict", () => {
  it.each(cases)("$name", (c) => {
    expect(describeVerdict(c.level, verdictFor(c.requirement, c.reviews))).toMatchSnapshot();
  });

  it("neutralises markdown and mentions in hostile logins", () => {
    const verdict = verdictFor(high, [review(1, "evil`@x](http://e)", "CHANGES_REQUESTED")]);
    verdict.blocking.push({ login: "evil`@x](http://e)", reviewId: 9, submittedAt: "2026-01-01T00:00:00Z" });
    const d = describeVerdict("high", verdict);
    expect(d.summary).not.toContain("`@x");
    expect(d.summary).not.toContain("](");
    expect(d.title).toBe("changes requested by @evil??x]?http?//e?");
  });
});

describe("describeVerdict bounds", () => {
  it("lists at most 50 reviews per section, however many there are", () => {
    const reviews = Array.from({ length: 400 }, (_, i) => review(i + 1, `outsider-${i}`, "APPROVED"));
    const d = describeVerdict("high", verdictFor(high, reviews));
    expect(d.summary.split("\n").filter((l) => l.startsWith("- `@outsider-"))).toHaveLength(50);
    expect(d.summary).toContain("- … and 350 more");
    expect(d.summary.length).toBeLessThan(10_000);
  });
});
