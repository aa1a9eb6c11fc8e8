import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ApprovalVerdict } from "../../../src/core/approval/evaluate.js";
import {
  APPROVAL_RECORD_MARKER,
  approvalRecordFit,
  ApprovalRecordError,
  buildApprovalRecord,
  decodeApprovalRecord,
  decodeApprovalRecordResult,
  encodeApprovalRecord,
} from "../../../src/core/approval/record.js";
import type { ApprovalRecord } from "../../../src/core/model.js";
import { hex, planOf } from "./plan-fixture.js";

const HEAD = "1".repeat(40);
const BASE = "2".repeat(40);

const verdict: ApprovalVerdict = {
  satisfied: true,
  auto: false,
  requirement: { approvals: 1, teams: ["org/sre"], users: [], auto: false },
  needed: 1,
  approvers: [{ login: "alice", reviewId: 77, submittedAt: "2026-01-01T10:00:00Z" }],
  blocking: [],
  ignored: [],
  byAssociation: false,
};

const plan = planOf([
  ["apps/Deployment/prod/web", "update", hex("a"), "high"],
  ["/ConfigMap/prod/settings", "create", hex("b"), "low"],
  ["/Secret/prod/old", "delete", "", "medium"],
]);

function record(): ApprovalRecord {
  return buildApprovalRecord({
    repository: "org/infra",
    pullRequest: 12,
    author: "bob",
    headSha: HEAD,
    baseSha: BASE,
    protectedFiles: [{ path: ".github/countersign.yml", blob: "c".repeat(40) }],
    plan,
    verdict,
    createdAt: new Date("2026-01-01T11:00:00Z"),
  });
}

/** Encode any JSON value the way the gate encodes records, to forge tampered blocks. */
function forge(value: unknown): string {
  return `${APPROVAL_RECORD_MARKER}${deflateRawSync(Buffer.from(JSON.stringify(value))).toString("base64url")} -->`;
}

describe("buildApprovalRecord", () => {
  it("binds the plan's changes sorted by key, deletions with an empty digest", () => {
    const r = record();
    expect(r.changes).toEqual([
      { key: "/ConfigMap/prod/settings", op: "create", afterDigest: hex("b"), level: "low" },
      { key: "/Secret/prod/old", op: "delete", afterDigest: "", level: "medium" },
      { key: "apps/Deployment/prod/web", op: "update", afterDigest: hex("a"), level: "high" },
    ]);
    expect(r).toMatchObject({
      schema: 2,
      author: "bob",
      protectedFiles: [{ path: ".github/countersign.yml", blob: "c".repeat(40) }],
      changeSetDigest: plan.changeSet.digest,
      level: "high",
      auto: false,
      policyDigest: hex("e"),
      createdAt: "2026-01-01T11:00:00.000Z",
      approvers: [{ login: "alice", reviewId: 77, submittedAt: "2026-01-01T10:00:00Z" }],
    });
  });

  it.each([
    // Proves no record is written for an unmet requirement.
    ["unsatisfied verdict", { verdict: { ...verdict, satisfied: false } }, /requirement is not met/],
    // Proves a plan whose digest does not match its changes is refused.
    [
      "digest mismatch",
      { plan: { ...plan, changeSet: { ...plan.changeSet, digest: hex("9") } } },
      /digest does not match/,
    ],
    // Proves malformed identity fields are refused before anything is written.
    ["bad head SHA", { headSha: "main" }, /headSha/],
  ])("refuses: %s", (_name, override, error) => {
    const args = {
      repository: "org/infra",
      pullRequest: 12,
      author: "bob",
      headSha: HEAD,
      baseSha: BASE,
      protectedFiles: [],
      plan,
      verdict,
      createdAt: "2026-01-01T11:00:00Z",
    };
    expect(() => buildApprovalRecord({ ...args, ...override })).toThrow(error);
  });
});

describe("encode/decode", () => {
  it("round-trips, and the block is an HTML comment plus a fenced summary", () => {
    const r = record();
    const text = encodeApprovalRecord(r);
    expect(text.startsWith("<!-- countersign:approval-record:v2 ")).toBe(true);
    expect(text).toContain("```text\ncountersign approval record v2\npull request: org/infra#12 by bob");
    expect(decodeApprovalRecord(`## countersign\n\nsome report\n\n${text}\nmore text`)).toEqual(r);
  });

  it("shows people a fenced summary after the machine block", () => {
    const text = encodeApprovalRecord(record());
    expect(text.slice(text.indexOf(" -->"))).toMatchSnapshot();
  });

  it("round-trips an auto-approved record with no approvers", () => {
    const r = buildApprovalRecord({
      repository: "org/infra",
      pullRequest: 3,
      author: "renovate[bot]",
      headSha: HEAD,
      baseSha: BASE,
      protectedFiles: [{ path: "policies", blob: null }],
      plan,
      verdict: { ...verdict, auto: true, approvers: [], needed: 0 },
      createdAt: "2026-01-01T11:00:00Z",
    });
    expect(decodeApprovalRecord(encodeApprovalRecord(r))).toEqual(r);
    expect(encodeApprovalRecord(r)).toContain("approved by: auto-approved");
  });

  const good = record();
  const bomb = `${APPROVAL_RECORD_MARKER}${deflateRawSync(Buffer.alloc(20_000_000, 32)).toString("base64url")} -->`;
  const tampered: [string, unknown, RegExp][] = [
    // Proves a changed after-digest without a matching change-set digest is detected.
    [
      "changed content",
      forge({
        ...good,
        changes: good.changes.map((c, i) => (i === 2 ? { ...c, afterDigest: hex("f") } : c)),
      }),
      /digest does not match/,
    ],
    // Proves an added change is detected by the digest.
    [
      "added change",
      forge({
        ...good,
        changes: [...good.changes, { key: "x/Y/z/w", op: "create", afterDigest: hex("c"), level: "low" }],
      }),
      /digest does not match/,
    ],
    // Proves fields the schema does not know are refused (strict parsing).
    ["unknown field", forge({ ...good, extra: 1 }), /unknown field/],
    // Proves missing fields are refused.
    ["missing approvers", forge({ ...good, approvers: undefined }), /missing field approvers/],
    // Proves a record of another schema version is refused.
    ["schema 3 inside v2 block", forge({ ...good, schema: 3 }), /schema: expected 2/],
    // Proves a block of an unknown version is refused, naming the version.
    [
      "v3 marker",
      forge(good).replace(":v2 ", ":v3 "),
      /unsupported approval record version: the record is schema v3, this version of countersign reads only v2/,
    ],
    // Proves a record of the previous schema (no author, no protected files) is refused and says so.
    ["v1 record", forge(good).replace(":v2 ", ":v1 "), /the record is schema v1/],
    // Proves the author and the protected files are checked like every other field.
    ["author with markup", forge({ ...good, author: "<b>x</b>" }), /author: not a login/],
    [
      "protected files out of order",
      forge({
        ...good,
        protectedFiles: [
          { path: "policies/b.yaml", blob: null },
          { path: "policies/a.yaml", blob: null },
        ],
      }),
      /protectedFiles\[1\].path: files must be sorted/,
    ],
    [
      "protected file blob not a SHA",
      forge({ ...good, protectedFiles: [{ path: "policies", blob: "HEAD" }] }),
      /protectedFiles\[0\].blob/,
    ],
    // Proves a deletion must carry an empty digest.
    [
      "deletion with a digest",
      forge({
        ...good,
        changes: good.changes.map((c) => (c.op === "delete" ? { ...c, afterDigest: hex("d") } : c)),
      }),
      /afterDigest/,
    ],
    // Proves unsorted changes are refused.
    ["unsorted changes", forge({ ...good, changes: [...good.changes].reverse() }), /sorted by key/],
    // Proves duplicate keys are refused.
    [
      "duplicate key",
      forge({ ...good, changes: [good.changes[0], good.changes[0]] }),
      /sorted by key, without duplicates/,
    ],
    // Proves a non-integer review id is refused.
    [
      "fractional review id",
      forge({ ...good, approvers: [{ ...good.approvers[0], reviewId: 1.5 }] }),
      /reviewId/,
    ],
    // Proves an invalid risk level (even a prototype key) is refused.
    ["level __proto__", forge({ ...good, level: "__proto__" }), /level: not a risk level/],
    // Proves a non-object payload is refused.
    ["array payload", forge([good]), /not an object/],
    // Proves two blocks are ambiguous and refused (fail closed).
    ["two blocks", `${encodeApprovalRecord(good)}\n${encodeApprovalRecord(good)}`, /more than one/],
    // Proves text without a block yields nothing.
    ["no block", "## countersign\nno record here", /no approval record/],
    // Proves an unterminated comment is refused.
    ["unclosed block", forge(good).replace(" -->", ""), /not closed/],
    // Proves characters outside base64url are refused before decoding.
    ["non-base64 payload", `${APPROVAL_RECORD_MARKER}abc$def -->`, /base64url/],
    // Proves bytes that are not deflate data are refused.
    ["garbage payload", `${APPROVAL_RECORD_MARKER}AAAAAAAAAAAA -->`, /decompress|not JSON/],
    // Proves deflated text that is not JSON is refused.
    [
      "not JSON",
      `${APPROVAL_RECORD_MARKER}${deflateRawSync(Buffer.from("{nope")).toString("base64url")} -->`,
      /not JSON/,
    ],
    // Proves a decompression bomb is stopped at the output bound.
    ["decompression bomb", bomb, /decompress within bounds|not bounded/],
    // Proves oversize text is refused before any parsing.
    ["oversize text", "x".repeat(300_000), /longer than/],
    // Proves non-string input does not throw.
    ["not a string", 42, /not a string/],
  ];

  it.each(tampered)("refuses %s", (_name, text, error) => {
    const result = decodeApprovalRecordResult(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
    expect(decodeApprovalRecord(text as string)).toBeUndefined();
  });

  it("refuses to encode a record too large for a check run", () => {
    const many = planOf(
      Array.from(
        { length: 3_000 },
        (_, i) => [`apps/Deployment/ns-${i}/app-${i}`, "create", hex(i * 7919 + 1), "high"] as const,
      ).map(([k, o, d, l]) => [k, o, d, l]),
    );
    const big = buildApprovalRecord({
      repository: "org/infra",
      pullRequest: 1,
      author: "bob",
      headSha: HEAD,
      baseSha: BASE,
      protectedFiles: [],
      plan: many,
      verdict,
      createdAt: "2026-01-01T11:00:00Z",
    });
    expect(() => encodeApprovalRecord(big)).toThrow(ApprovalRecordError);
  });

  it("fits 1,000 changed objects in one check run text", () => {
    const many = planOf(
      Array.from(
        { length: 1_000 },
        (_, i) => [`apps/Deployment/ns-${i % 20}/app-${i}`, "update", hex(i * 7919 + 1), "high"] as const,
      ).map(([k, o, d, l]) => [k, o, d, l]),
    );
    const big = buildApprovalRecord({
      repository: "org/infra",
      pullRequest: 1,
      author: "bob",
      headSha: HEAD,
      baseSha: BASE,
      protectedFiles: [],
      plan: many,
      verdict,
      createdAt: "2026-01-01T11:00:00Z",
    });
    expect(decodeApprovalRecord(encodeApprovalRecord(big))).toEqual(big);
  });
});

describe("approvalRecordFit", () => {
  const planOfSize = (n: number) =>
    planOf(
      Array.from(
        { length: n },
        (_, i) => [`apps/Deployment/ns-${i % 20}/app-${i}`, "update", hex(i * 7919 + 1), "high"] as const,
      ).map(([k, o, d, l]) => [k, o, d, l]),
    );
  const args = (n: number) => ({
    repository: "org/infra",
    pullRequest: 999_999_999,
    author: "x".repeat(39),
    headSha: HEAD,
    baseSha: BASE,
    protectedFiles: [],
    plan: planOfSize(n),
  });

  it("tells a PR too large to record before anyone approves it", () => {
    expect(approvalRecordFit(args(1_000), 2).fits).toBe(true);
    const big = approvalRecordFit(args(1_200), 2);
    expect(big.fits).toBe(false);
    expect(big.chars).toBeGreaterThan(big.limit);
  });

  it("is conservative: the largest plan it accepts still encodes once approved by as many reviewers", () => {
    // Find the largest size it accepts (bisection), then encode a real record of that size.
    let lo = 900;
    let hi = 1_300;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (approvalRecordFit(args(mid), 3).fits) lo = mid;
      else hi = mid;
    }
    const approvers = ["alice", "bob", "carol"].map((login, i) => ({
      login: login.padEnd(39, "z"),
      reviewId: 1_000_000_000 + i,
      submittedAt: "2026-01-01T10:00:00.123Z",
    }));
    const real = buildApprovalRecord({
      ...args(lo),
      pullRequest: 12,
      author: "bob",
      verdict: { ...verdict, approvers, needed: 3 },
      createdAt: "2026-01-01T11:00:00Z",
    });
    expect(() => encodeApprovalRecord(real)).not.toThrow();
  });
});
