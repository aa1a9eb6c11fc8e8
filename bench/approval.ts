/**
 * Benchmark section "approval": approval-record size and speed by number of changed objects, and
 * the cost of evaluating many reviews. Run with `npx tsx bench/approval.ts` (or register it in bench/index.ts).
 */
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { evaluateApproval } from "../src/core/approval/evaluate.js";
import type { ApprovalVerdict } from "../src/core/approval/evaluate.js";
import {
  APPROVAL_RECORD_MAX_CHARS,
  buildApprovalRecord,
  decodeApprovalRecord,
  encodeApprovalRecord,
} from "../src/core/approval/record.js";
import { changeSetDigest } from "../src/core/change-set.js";
import type { Change, Plan, Review } from "../src/core/model.js";

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

function planOf(n: number): Plan {
  const changes: Change[] = Array.from({ length: n }, (_, i): Change => {
    const namespace = `team-${i % 40}`;
    const name = `service-${i}`;
    const key = `apps/Deployment/${namespace}/${name}`;
    return {
      key,
      op: "update",
      group: "apps",
      kind: "Deployment",
      namespace,
      name,
      after: {
        key,
        group: "apps",
        version: "v1",
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace,
        name,
        object: {},
        digest: sha256(String(i)),
        source: { file: "clusters/prod/x.yaml", line: 1 },
      },
      fields: [],
      deltas: [],
    };
  }).sort((a, b) => (a.key < b.key ? -1 : 1));
  const digest = changeSetDigest(
    changes.map((c) => ({ key: c.key, op: c.op, afterDigest: c.after?.digest ?? "" })),
  );
  return {
    changeSet: { changes, unchanged: 0, digest },
    classification: {
      level: "high",
      requirement: { approvals: 2, teams: ["org/sre"], users: [], auto: false },
      changes: changes.map((change) => ({ change, level: "high", findings: [] })),
      policyDigest: sha256("policy"),
    },
    skipped: [],
    errors: [],
  };
}

const verdict: ApprovalVerdict = {
  satisfied: true,
  auto: false,
  requirement: { approvals: 2, teams: ["org/sre"], users: [], auto: false },
  needed: 2,
  approvers: [
    { login: "alice", reviewId: 77, submittedAt: "2026-01-01T10:00:00Z" },
    { login: "bob", reviewId: 78, submittedAt: "2026-01-01T10:00:00Z" },
  ],
  blocking: [],
  ignored: [],
  byAssociation: false,
};

function time<T>(fn: () => T, repeat = 5): [T, number] {
  let result = fn();
  const start = performance.now();
  for (let i = 0; i < repeat; i++) result = fn();
  return [result, (performance.now() - start) / repeat];
}

export async function run(): Promise<void> {
  console.log(`approval record: limit ${APPROVAL_RECORD_MAX_CHARS} characters per check-run text`);
  for (const n of [1, 100, 1_000, 1_100, 1_200]) {
    const record = buildApprovalRecord({
      repository: "org/infra",
      pullRequest: 1,
      author: "bob",
      headSha: "1".repeat(40),
      baseSha: "2".repeat(40),
      protectedFiles: [],
      plan: planOf(n),
      verdict,
      createdAt: "2026-01-01T11:00:00Z",
    });
    try {
      const [text, encodeMs] = time(() => encodeApprovalRecord(record));
      const [, decodeMs] = time(() => decodeApprovalRecord(text));
      console.log(
        `  ${n} changes: ${text.length} chars, encode ${encodeMs.toFixed(1)} ms, decode+verify ${decodeMs.toFixed(1)} ms`,
      );
    } catch (error) {
      console.log(`  ${n} changes: refused (${(error as Error).message})`);
    }
  }
  const reviews: Review[] = Array.from({ length: 500 }, (_, i) => ({
    id: i + 1,
    login: `user${i % 100}`,
    state: i % 7 === 0 ? "COMMENTED" : "APPROVED",
    commitId: "c".repeat(40),
    submittedAt: "2026-01-01T10:00:00Z",
    isBot: false,
    association: "MEMBER",
  }));
  const members = new Set(Array.from({ length: 50 }, (_, i) => `user${i}`));
  const [, ms] = time(
    () =>
      evaluateApproval({
        requirement: { approvals: 2, teams: ["org/sre"], users: [], auto: false },
        reviews,
        author: "agent",
        committers: ["agent"],
        agents: ["agent"],
        extraReviewers: { users: [], teams: [] },
        teamMembers: new Map([["org/sre", members]]),
        currentDigest: "x",
        digestAt: () => "x",
      }),
    200,
  );
  console.log(`evaluateApproval: 500 reviews by 100 reviewers in ${ms.toFixed(3)} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
