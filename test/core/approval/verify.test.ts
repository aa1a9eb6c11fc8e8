import { deflateRawSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import type { ApprovalVerdict } from "../../../src/core/approval/evaluate.js";
import {
  APPROVAL_RECORD_MARKER,
  buildApprovalRecord,
  encodeApprovalRecord,
} from "../../../src/core/approval/record.js";
import { approvalBindingDigest } from "../../../src/core/approval/binding.js";
import { ApprovalEvidenceError, verifyPullApproval } from "../../../src/core/approval/verify.js";
import type { VerifyPullApprovalOptions } from "../../../src/core/approval/verify.js";
import type { ApprovalRecord, Requirement, RiskLevel } from "../../../src/core/model.js";
import type { CheckRunView } from "../../../src/core/ports/pull-request-source.js";
import { FakeEvidence } from "./fake-evidence.js";
import { hex, planOf } from "./plan-fixture.js";

const APP = 42;
const OTHER_APP = 99;
const HEAD = "1".repeat(40);
const OLD_HEAD = "3".repeat(40);
const BASE = "2".repeat(40);
const repo = { owner: "org", repo: "infra" };
const sre: Requirement = { approvals: 1, teams: ["org/sre"], users: [], auto: false };
const requirements: Record<RiskLevel, Requirement> = {
  low: { approvals: 0, teams: [], users: [], auto: true },
  medium: sre,
  high: sre,
  critical: { ...sre, approvals: 2 },
};

const verdict: ApprovalVerdict = {
  satisfied: true,
  auto: false,
  requirement: sre,
  needed: 1,
  approvers: [{ login: "alice", reviewId: 77, submittedAt: "2026-01-01T10:00:00Z" }],
  blocking: [],
  ignored: [],
  byAssociation: false,
};

interface RecordOverrides {
  pullRequest?: number;
  headSha?: string;
  repository?: string;
  author?: string;
  protectedFiles?: ApprovalRecord["protectedFiles"];
}

function record(overrides: RecordOverrides = {}): ApprovalRecord {
  return buildApprovalRecord({
    repository: overrides.repository ?? "org/infra",
    pullRequest: overrides.pullRequest ?? 7,
    author: overrides.author ?? "bob",
    headSha: overrides.headSha ?? HEAD,
    baseSha: BASE,
    protectedFiles: overrides.protectedFiles ?? [],
    plan: planOf([["apps/Deployment/prod/web", "update", hex("a"), "high"]]),
    verdict,
    createdAt: "2026-01-01T11:00:00Z",
  });
}

function run(id: number, text: string | null, extra: Partial<CheckRunView> = {}): CheckRunView {
  return {
    id,
    headSha: HEAD,
    status: "completed",
    conclusion: "success",
    externalId: record().changeSetDigest,
    outputText: text,
    appId: APP,
    startedAt: "2026-01-01T11:00:00Z",
    ...extra,
  };
}

let forge: FakeEvidence;

beforeEach(() => {
  forge = new FakeEvidence();
  forge.pulls.set(7, {
    number: 7,
    author: "bob",
    headSha: HEAD,
    baseSha: BASE,
    baseRef: "main",
    state: "closed",
    merged: true,
  });
  forge.reviewsOf.set(7, [
    {
      id: 77,
      login: "alice",
      state: "APPROVED",
      commitId: HEAD,
      submittedAt: "2026-01-01T10:00:00Z",
      isBot: false,
    },
  ]);
  forge.commitsOf.set(7, [{ sha: HEAD, author: "bob", committer: "bob" }]);
  forge.teams.set("org/sre", ["alice", "carol"]);
  forge.runs.push(run(5, encodeApprovalRecord(record())));
});

function options(extra: Partial<VerifyPullApprovalOptions> = {}): VerifyPullApprovalOptions {
  return { repo, number: 7, appId: APP, requirements, agents: ["deploy-agent"], ...extra };
}

async function reason(extra: Partial<VerifyPullApprovalOptions> = {}): Promise<string> {
  const result = await verifyPullApproval(forge, options(extra));
  if (result.ok) throw new Error("expected the approval to be refused");
  return result.reason;
}

describe("verifyPullApproval", () => {
  it("accepts the record of the newest run of this app when the reviews still hold it", async () => {
    const result = await verifyPullApproval(forge, options());
    expect(result).toMatchObject({ ok: true, checkRunId: 5, pull: { merged: true } });
    if (!result.ok) return;
    expect(result.record.approvers.map((a) => a.login)).toEqual(["alice"]);
    expect(result.verdict.satisfied).toBe(true);
    expect(forge.calls).toEqual([
      "pull 7",
      `checkRuns ${HEAD}`,
      "reviews 7",
      "commits 7",
      "teamMembers org/sre",
    ]);
  });

  it("takes the requirement from a function as well as from the policy's table", async () => {
    const result = await verifyPullApproval(
      forge,
      options({ requirements: undefined, requirementOf: () => sre }),
    );
    expect(result.ok).toBe(true);
  });

  it("lets a newer run that did not succeed speak for the head, whatever order runs are listed in", async () => {
    forge.runs.unshift(run(6, null, { conclusion: "failure" }));
    expect(await reason()).toMatch(/newest check run \(6\) on its head concluded failure/);
  });

  it("does not trust a newer in-progress run's predecessor", async () => {
    forge.runs.push(run(6, null, { status: "in_progress", conclusion: null }));
    expect(await reason()).toMatch(/newest check run \(6\) on its head is in_progress/);
  });

  it("never takes another app's check run as evidence, even a newer one with a record", async () => {
    forge.runs.length = 0;
    forge.runs.push(run(9, encodeApprovalRecord(record()), { appId: OTHER_APP }));
    expect(await reason()).toMatch(/no check run of this app on its head/);
    forge.runs.push(run(5, null, { conclusion: "action_required" }));
    // Another app's newer success does not supersede this app's own verdict either.
    expect(await reason()).toMatch(/check run \(5\) on its head concluded action_required/);
  });

  it.each([0, -1, Number.NaN, 1.5])("refuses to run with app id %s (never a wildcard)", async (appId) => {
    expect(await reason({ appId })).toMatch(/no valid app id/);
    expect(forge.calls).toEqual([]);
  });

  it.each([
    ["another pull request", { pullRequest: 8 }, /record of another pull request \(#8\)/],
    ["another head", { headSha: OLD_HEAD }, /record of another head \(3333333\)/],
    ["another repository", { repository: "org/other" }, /record of another repository/],
  ])("refuses a record of %s", async (_case, overrides, expected) => {
    forge.runs.length = 0;
    forge.runs.push(run(5, encodeApprovalRecord(record(overrides))));
    expect(await reason()).toMatch(expected);
  });

  it("refuses a record schema it does not know, and says so", async () => {
    const payload = deflateRawSync(Buffer.from(JSON.stringify({ schema: 99 }))).toString("base64url");
    const marker = APPROVAL_RECORD_MARKER.replace(/:v\d+ $/, ":v99 ");
    forge.runs.length = 0;
    forge.runs.push(run(5, `${marker}${payload} -->`));
    expect(await reason()).toMatch(/unsupported approval record version/);
  });

  it("refuses a record naming another author than the PR's", async () => {
    forge.runs.length = 0;
    forge.runs.push(run(5, encodeApprovalRecord(record({ author: "mallory" }))));
    expect(await reason()).toMatch(/record naming another author \(mallory\)/);
  });

  it("binds the protected files: the run's external id must be the record's binding digest", async () => {
    const files = [{ path: ".github/countersign.yml", blob: "c".repeat(40) }];
    const bound = record({ protectedFiles: files });
    forge.runs.length = 0;
    // The run evaluated other content than the record holds (its external id is the bare change set).
    forge.runs.push(run(5, encodeApprovalRecord(bound)));
    expect(await reason()).toMatch(/external id does not match the record's content/);
    forge.runs[0] = run(5, encodeApprovalRecord(bound), {
      externalId: approvalBindingDigest(bound.changeSetDigest, files),
    });
    const result = await verifyPullApproval(forge, options());
    expect(result.ok && result.record.protectedFiles).toEqual(files);
  });

  it("refuses a run without a record", async () => {
    forge.runs.length = 0;
    forge.runs.push(run(5, null));
    expect(await reason()).toMatch(/carries no approval record/);
  });

  it("refuses when the PR's head is not the one the caller expects", async () => {
    expect(await reason({ headSha: OLD_HEAD })).toMatch(/its head is 1111111, not 3333333/);
  });

  it.each([
    [
      "the approval was dismissed",
      () => forge.reviewsOf.get(7)?.push({ ...review(78, "alice", "DISMISSED") }),
      /0 of 1 approvals still count/,
    ],
    [
      "the approver left the team",
      () => forge.teams.set("org/sre", ["carol"]),
      /0 of 1 approvals still count/,
    ],
    [
      "an eligible reviewer requests changes",
      () => forge.reviewsOf.get(7)?.push(review(79, "carol", "CHANGES_REQUESTED")),
      /changes are requested by carol/,
    ],
    [
      "the approver is now a committer of the PR",
      () => forge.commitsOf.get(7)?.push({ sha: OLD_HEAD, author: "alice" }),
      /0 of 1 approvals still count/,
    ],
  ])("refuses when %s", async (_case, change, expected) => {
    change();
    expect(await reason()).toMatch(expected);
  });

  it("refuses when the policy has no requirement for the record's level", async () => {
    expect(await reason({ requirements: {} })).toMatch(/no requirement for level high/);
  });

  it("applies the current requirement, not the one recorded", async () => {
    expect(await reason({ requirements: { ...requirements, high: { ...sre, approvals: 2 } } })).toMatch(
      /1 of 2 approvals still count/,
    );
  });

  it.each(["pull", "checkRuns", "reviews", "commits", "teamMembers"] as const)(
    "throws, naming what it read, when %s cannot be read",
    async (method) => {
      forge.failing = method;
      const failure = verifyPullApproval(forge, options());
      await expect(failure).rejects.toBeInstanceOf(ApprovalEvidenceError);
      await expect(failure).rejects.toThrow(/verifying the approval of org\/infra#7: .*HTTP 502/);
    },
  );
});

function review(id: number, login: string, state: "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
  return { id, login, state, commitId: HEAD, submittedAt: `2026-01-01T12:00:${id % 60}Z`, isBot: false };
}
