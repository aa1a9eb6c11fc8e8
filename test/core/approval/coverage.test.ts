import { describe, expect, it } from "vitest";
import { coverage, protectedCoverage } from "../../../src/core/approval/coverage.js";
import type { CoverageChange } from "../../../src/core/approval/coverage.js";
import type { ApprovalRecord, RecordedChange } from "../../../src/core/model.js";
import { hex } from "./plan-fixture.js";

function rec(changes: [string, RecordedChange["op"], string][]): ApprovalRecord {
  return {
    schema: 2,
    repository: "org/infra",
    pullRequest: 1,
    author: "bob",
    headSha: "1".repeat(40),
    baseSha: "2".repeat(40),
    changeSetDigest: hex("d"),
    protectedFiles: [],
    level: "high",
    auto: false,
    changes: changes.map(([key, op, afterDigest]) => ({ key, op, afterDigest, level: "high" })),
    approvers: [{ login: "alice", reviewId: 1, submittedAt: "2026-01-01T00:00:00Z" }],
    policyDigest: hex("e"),
    createdAt: "2026-01-01T00:00:00Z",
  };
}

const WEB = "apps/Deployment/prod/web";
const CM = "/ConfigMap/prod/settings";
const A = hex("a");
const B = hex("b");

const cases: {
  name: string;
  changes: CoverageChange[];
  records: ApprovalRecord[];
  covered: string[];
  uncovered: [string, RegExp][];
}[] = [
  // Proves the same key with the same after-digest is covered.
  {
    name: "same content",
    changes: [{ key: WEB, op: "update", afterDigest: A }],
    records: [rec([[WEB, "update", A]])],
    covered: [WEB],
    uncovered: [],
  },
  // Proves the operation does not matter when the content matches (create approved, seen as update after a baseline).
  {
    name: "op differs, content same",
    changes: [{ key: WEB, op: "update", afterDigest: A }],
    records: [rec([[WEB, "create", A]])],
    covered: [WEB],
    uncovered: [],
  },
  // Proves different content is not covered, and the reason names both digests.
  {
    name: "content differs",
    changes: [{ key: WEB, op: "update", afterDigest: B }],
    records: [rec([[WEB, "update", A]])],
    covered: [],
    uncovered: [[WEB, /approved content differs \(approved aaaaaaaaaaaa; now bbbbbbbbbbbb\)/]],
  },
  // Proves an object no record mentions is not covered.
  {
    name: "no record holds the key",
    changes: [{ key: CM, op: "create", afterDigest: A }],
    records: [rec([[WEB, "update", A]])],
    covered: [],
    uncovered: [[CM, /no approval record/]],
  },
  // Proves an approved deletion covers a deletion.
  {
    name: "deletion approved",
    changes: [{ key: WEB, op: "delete", afterDigest: "" }],
    records: [rec([[WEB, "delete", ""]])],
    covered: [WEB],
    uncovered: [],
  },
  // Proves approved content does not cover deleting that object.
  {
    name: "deletion not approved",
    changes: [{ key: WEB, op: "delete", afterDigest: "" }],
    records: [rec([[WEB, "update", A]])],
    covered: [],
    uncovered: [[WEB, /deletion was not approved/]],
  },
  // Proves an approved deletion does not cover re-creating the object.
  {
    name: "only deletion approved",
    changes: [{ key: WEB, op: "create", afterDigest: A }],
    records: [rec([[WEB, "delete", ""]])],
    covered: [],
    uncovered: [[WEB, /only its deletion/]],
  },
  // Proves a merge group is covered by the union of its PRs' records.
  {
    name: "two records cover a merge group",
    changes: [
      { key: WEB, op: "update", afterDigest: A },
      { key: CM, op: "create", afterDigest: B },
    ],
    records: [rec([[WEB, "update", A]]), rec([[CM, "create", B]])],
    covered: [CM, WEB],
    uncovered: [],
  },
  // Proves mixed edits of one object by two PRs: only the content someone approved is covered.
  {
    name: "two PRs edited one object, group holds a third content",
    changes: [{ key: WEB, op: "update", afterDigest: hex("c") }],
    records: [rec([[WEB, "update", A]]), rec([[WEB, "update", B]])],
    covered: [],
    uncovered: [[WEB, /approved aaaaaaaaaaaa, bbbbbbbbbbbb; now cccccccccccc/]],
  },
  // Proves no records cover nothing.
  {
    name: "no records",
    changes: [{ key: WEB, op: "update", afterDigest: A }],
    records: [],
    covered: [],
    uncovered: [[WEB, /no approval record/]],
  },
  // Proves a change without a digest is never covered (fail closed).
  {
    name: "missing digest",
    changes: [{ key: WEB, op: "update", afterDigest: "" }],
    records: [rec([[WEB, "update", A]])],
    covered: [],
    uncovered: [[WEB, /no content digest/]],
  },
  // Proves a key listed twice with one uncovered occurrence is uncovered.
  {
    name: "duplicate key, one uncovered",
    changes: [
      { key: WEB, op: "update", afterDigest: A },
      { key: WEB, op: "update", afterDigest: B },
    ],
    records: [rec([[WEB, "update", A]])],
    covered: [],
    uncovered: [[WEB, /differs/]],
  },
  // Proves no changes are trivially covered.
  { name: "empty change set", changes: [], records: [], covered: [], uncovered: [] },
];

describe("coverage", () => {
  it.each(cases)("$name", (c) => {
    const result = coverage(c.changes, c.records);
    expect(result.covered).toEqual(c.covered);
    expect(result.uncovered.map((u) => u.key)).toEqual(c.uncovered.map(([k]) => k));
    c.uncovered.forEach(([, reason], i) => expect(result.uncovered[i]?.reason).toMatch(reason));
  });
});

describe("protectedCoverage", () => {
  const CONFIG = ".github/countersign.yml";
  const blobA = "a".repeat(40);
  const blobB = "b".repeat(40);
  const withFiles = (
    level: ApprovalRecord["level"],
    files: ApprovalRecord["protectedFiles"],
  ): ApprovalRecord => ({
    ...rec([]),
    level,
    protectedFiles: files,
  });

  it.each([
    [
      "the same blob approved at critical",
      [withFiles("critical", [{ path: CONFIG, blob: blobA }])],
      blobA,
      [],
    ],
    [
      "another blob approved at critical",
      [withFiles("critical", [{ path: CONFIG, blob: blobB }])],
      blobA,
      [CONFIG],
    ],
    [
      "the same blob approved below critical",
      [withFiles("high", [{ path: CONFIG, blob: blobA }])],
      blobA,
      [CONFIG],
    ],
    ["no record binding the file", [withFiles("critical", [])], blobA, [CONFIG]],
    ["its deletion approved at critical", [withFiles("critical", [{ path: CONFIG, blob: null }])], null, []],
    [
      "content approved where the group deletes it",
      [withFiles("critical", [{ path: CONFIG, blob: blobA }])],
      null,
      [CONFIG],
    ],
  ] as const)("covers a protected file by %s: uncovered %j", (_case, records, blob, uncovered) => {
    const result = protectedCoverage([{ path: CONFIG, blob }], [...records]);
    expect(result.map((u) => u.key)).toEqual(uncovered);
  });
});
