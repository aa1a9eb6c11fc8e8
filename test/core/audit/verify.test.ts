import { describe, expect, it } from "vitest";
import { buildRecordBody } from "../../../src/core/audit/build.js";
import type { ObjectInput } from "../../../src/core/audit/build.js";
import type { AuditApproval, AuditRecord } from "../../../src/core/audit/record.js";
import { recordHash, sealRecord } from "../../../src/core/audit/seal.js";
import { verifyChain } from "../../../src/core/audit/verify.js";
import type { ChainProblemKind } from "../../../src/core/audit/verify.js";
import { DIGEST_A, DIGEST_B, approval, fakeMasker, sampleChain } from "./fixtures.js";

function rehash(r: AuditRecord): AuditRecord {
  return { ...r, hash: recordHash(r) };
}

type Tamper = (c: AuditRecord[]) => AuditRecord[];

const cases: Array<[string, Tamper, ChainProblemKind, string]> = [
  // A field changed in place: the record's own hash no longer matches.
  ["edited", (c) => c.map((r, i) => (i === 1 ? { ...r, status: "failed" } : r)), "edited", "i1.result"],
  // A field changed and the hash recomputed: the next record's prev exposes it.
  [
    "edited and rehashed",
    (c) => c.map((r, i) => (i === 2 ? rehash({ ...r, actor: "mallory" }) : r)),
    "edited",
    "r1",
  ],
  // A record in the middle removed: its successor points at a missing hash.
  ["deleted", (c) => c.filter((_, i) => i !== 2), "deleted", "i2"],
  // The first record removed.
  ["genesis deleted", (c) => c.slice(1), "deleted", "i1.result"],
  // A forged record slipped in with a made-up prev.
  [
    "inserted",
    (c) => [...c.slice(0, 2), rehash({ ...c[2]!, id: "x", prev: "f".repeat(64) }), ...c.slice(2)],
    "inserted",
    "x",
  ],
  // Two records swapped in storage order.
  ["reordered", (c) => [c[0]!, c[2]!, c[1]!, ...c.slice(3)], "reordered", "r1"],
  // A second writer appended on an old head: two records follow the same record.
  [
    "forked",
    (c) => {
      const fork = sealRecord(
        buildRecordBody(
          "refusal",
          { id: "fork", cluster: "prod", actor: "other", repository: "acme/infra", commit: "eeeeeee" },
          fakeMasker,
        ),
        c[1]!,
        new Date(Date.parse(c[2]!.time) + 1),
      );
      return [...c.slice(0, 3), fork, ...c.slice(3)];
    },
    "forked",
    "fork",
  ],
  // A record of another cluster moved into this cluster's prefix (unchanged, so its hash holds).
  [
    "moved from another cluster",
    (c) => [
      ...c.slice(0, 2),
      sealRecord({ ...c[2]!, id: "moved", cluster: "staging" }, null, new Date(c[2]!.time)),
      ...c.slice(2),
    ],
    "foreign",
    "moved",
  ],
  // The result of the last intent never written.
  ["result missing", (c) => c.slice(0, 4), "result-missing", "i2"],
  // The same result written twice (rehashed onto the chain so only completeness catches it).
  [
    "result twice",
    (c) => [
      ...c,
      sealRecord({ ...c[4]!, id: "i2.result.again" }, c[4]!, new Date(Date.parse(c[4]!.time) + 5)),
    ],
    "result-twice",
    "i2.result.again",
  ],
  // A result whose intent is not in the chain.
  [
    "result orphan",
    (c) => [
      ...c,
      sealRecord({ ...c[4]!, id: "y", intent: "nope" }, c[4]!, new Date(Date.parse(c[4]!.time) + 5)),
    ],
    "result-orphan",
    "y",
  ],
];

describe("verifyChain", () => {
  it("accepts an intact chain", () => {
    // The baseline: the sample chain is valid, so every failure below is caused by its tamper.
    const chain = sampleChain();
    expect(verifyChain(chain, { headHash: chain[4]!.hash })).toEqual({ ok: true, records: 5 });
  });

  it.each(cases)("detects %s", (_name, tamper, kind, id) => {
    const verdict = verifyChain(tamper(sampleChain()));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.problem.kind).toBe(kind);
      expect(verdict.problem.id).toBe(id);
    }
  });

  it("detects an applied change not covered by the approval evidence", () => {
    // The intent applies content whose digest differs from the approved after-digest.
    const intent = sealRecord(
      buildRecordBody(
        "intent",
        {
          id: "u1",
          cluster: "prod",
          actor: "a",
          repository: "r",
          commit: "c0ffee0",
          approvals: [
            approval(3, [{ key: "/ConfigMap/x/y", op: "update", afterDigest: "a".repeat(64), level: "low" }]),
          ],
          objects: [{ key: "/ConfigMap/x/y", op: "update", digest: DIGEST_B }],
        },
        fakeMasker,
      ),
      null,
      new Date(0),
    );
    const verdict = verifyChain([intent]);
    expect(verdict.ok ? null : [verdict.problem.kind, verdict.problem.id]).toEqual(["uncovered", "u1"]);
  });

  const intentWith = (
    changes: AuditApproval["changes"],
    object: ObjectInput,
    evidence: Partial<AuditApproval> = {},
  ): AuditRecord =>
    sealRecord(
      buildRecordBody(
        "intent",
        {
          id: "u1",
          cluster: "prod",
          actor: "a",
          repository: "r",
          commit: "c0ffee0",
          approvals: [{ ...approval(3, changes), ...evidence }],
          objects: [object],
        },
        fakeMasker,
      ),
      null,
      new Date(0),
    );
  const key = "/ConfigMap/x/y";
  const coverage: Array<[string, AuditApproval["changes"], ObjectInput, Partial<AuditApproval>, boolean]> = [
    // Same key and after-digest: covered.
    [
      "matching content",
      [{ key, op: "update", afterDigest: DIGEST_B, level: "low" }],
      { key, op: "update", digest: DIGEST_B },
      {},
      true,
    ],
    // An approved deletion is covered by the key marked deleted.
    [
      "approved deletion",
      [{ key, op: "delete", afterDigest: "", level: "low" }],
      { key, op: "delete", digest: "" },
      {},
      true,
    ],
    // Auto-approved evidence needs no approvers.
    [
      "auto-approved",
      [{ key, op: "create", afterDigest: DIGEST_B, level: "low" }],
      { key, op: "create", digest: DIGEST_B },
      { auto: true, approvers: [] },
      true,
    ],
    // An update with no content digest must not ride on an approved deletion's empty after-digest.
    [
      "empty digest vs deletion",
      [{ key, op: "delete", afterDigest: "", level: "low" }],
      { key, op: "update", digest: "" },
      {},
      false,
    ],
    // Evidence that is neither auto-approved nor names an approver approves nothing.
    [
      "no approvers, not auto",
      [{ key, op: "update", afterDigest: DIGEST_B, level: "low" }],
      { key, op: "update", digest: DIGEST_B },
      { approvers: [] },
      false,
    ],
    // A deletion is not covered by an approved update of the key.
    [
      "deletion vs update",
      [{ key, op: "update", afterDigest: DIGEST_B, level: "low" }],
      { key, op: "delete", digest: "" },
      {},
      false,
    ],
  ];
  it.each(coverage)("coverage at the intent: %s", (_name, changes, object, evidence, ok) => {
    const verdict = verifyChain([intentWith(changes, object, evidence)]);
    // The lone intent has no result: covered content gets as far as result-missing.
    expect(verdict.ok ? "ok" : verdict.problem.kind).toBe(ok ? "result-missing" : "uncovered");
  });

  it.each([
    // i1 declared an update (DIGEST_A): its result reports the object deleted instead.
    [
      "deleted instead of updated",
      0,
      { key: "apps/Deployment/web/api", op: "update", digest: DIGEST_A, outcome: "deleted" },
      "uncovered",
    ],
    // i2 declared a deletion: its result reports content with no digest configured.
    [
      "configured with no digest on a declared deletion",
      3,
      { key: "/ConfigMap/web/cfg", op: "update", digest: "", outcome: "configured" },
      "uncovered",
    ],
    // i1's declared content, configured: the chain verifies.
    [
      "declared content",
      0,
      { key: "apps/Deployment/web/api", op: "update", digest: DIGEST_A, outcome: "configured" },
      "ok",
    ],
    // i2's declared deletion, deleted: the chain verifies.
    [
      "declared deletion",
      3,
      { key: "/ConfigMap/web/cfg", op: "delete", digest: "", outcome: "deleted" },
      "ok",
    ],
  ] as const)("coverage at the result: %s", (_name, at, object, kind) => {
    const chain = sampleChain();
    // Replace the objects of the intent's own result (the record right after it), sealed onto it.
    const res = sealRecord(
      { ...chain[at + 1]!, objects: [{ ...object }] },
      chain[at]!,
      new Date(Date.parse(chain[at + 1]!.time)),
    );
    const verdict = verifyChain([...chain.slice(0, at + 1), res]);
    expect(verdict.ok ? "ok" : verdict.problem.kind).toBe(kind);
  });

  it("detects a result applying what its intent did not declare", () => {
    // Coverage holds at the intent, but the result reports a different object applied.
    const chain = sampleChain().slice(0, 1);
    const res = sealRecord(
      buildRecordBody(
        "result",
        {
          id: "i1.result",
          cluster: "prod",
          actor: "a",
          repository: "r",
          commit: "abcdef1",
          objects: [{ key: "/Secret/web/creds", op: "create", digest: DIGEST_B, outcome: "created" }],
        },
        fakeMasker,
        { intent: "i1", status: "succeeded" },
      ),
      chain[0]!,
      new Date(Date.parse(chain[0]!.time) + 10),
    );
    const verdict = verifyChain([...chain, res]);
    expect(verdict.ok ? null : verdict.problem.kind).toBe("uncovered");
  });

  it("detects records past or missing from the head pointer", () => {
    // Tail deletion is only visible against the head pointer.
    const chain = sampleChain();
    const truncated = verifyChain(chain.slice(0, 3), { headHash: chain[4]!.hash });
    expect(truncated.ok ? null : truncated.problem.kind).toBe("head");
    const extra = verifyChain(chain, { headHash: chain[2]!.hash });
    expect(extra.ok ? null : [extra.problem.kind, extra.problem.id]).toEqual(["inserted", "i2"]);
    // A head pointer rewound to an earlier record is named as a possibility.
    expect(extra.ok ? "" : extra.problem.message).toMatch(/head pointer was rewound/);
  });

  it("names a forged record inserted with a valid link, not the genuine record after it", () => {
    // The forgery follows c[1] with a valid hash and is stored before c[2]; the head's chain
    // (walked back from the head pointer) holds c[2], so the forgery is the record named.
    const c = sampleChain();
    const forged = sealRecord(
      { ...c[2]!, id: "forged", actor: "mallory" },
      c[1]!,
      new Date(Date.parse(c[1]!.time) + 1),
    );
    const verdict = verifyChain([...c.slice(0, 2), forged, ...c.slice(2)], { headHash: c[4]!.hash });
    expect(verdict.ok ? null : [verdict.problem.kind, verdict.problem.id]).toEqual(["inserted", "forged"]);
    expect(verdict.ok ? "" : verdict.problem.message).toMatch(/chain continues with record r1 \(seq 2/);
  });

  it("names a rewritten tail where it stops matching the head pointer, not a deletion at the old head", () => {
    // Records from seq 2 on re-sealed with an edit; the head pointer still holds the original
    // seq 4 (read from the head, as readChain appends it): the stored seq 3 is named as rewritten.
    const c = sampleChain();
    const tail: AuditRecord[] = [];
    for (const r of c.slice(2)) {
      const { seq: _s, prev: _p, hash: _h, time: _t, ...body } = r;
      const head = tail[tail.length - 1] ?? c[1]!;
      tail.push(sealRecord({ ...body, actor: "mallory" }, head, new Date(Date.parse(r.time))));
    }
    const verdict = verifyChain([...c.slice(0, 2), ...tail, c[4]!], { headHash: c[4]!.hash });
    expect(verdict.ok ? null : [verdict.problem.kind, verdict.problem.seq, verdict.problem.hash]).toEqual([
      "edited",
      3,
      tail[1]!.hash,
    ]);
    expect(verdict.ok ? "" : verdict.problem.message).toMatch(/rewritten/);
  });

  it("pins the log with an expected head: truncation with a rewritten head pointer is caught", () => {
    // The head pointer was rewound to c[2] and c[3..4] deleted: consistent on its own.
    const c = sampleChain();
    const pinned = c[4]!.hash;
    const truncated = verifyChain(c.slice(0, 2), { headHash: c[1]!.hash, expectHead: pinned });
    expect(truncated.ok ? null : [truncated.problem.kind, truncated.problem.id]).toEqual([
      "truncated",
      "i1.result",
    ]);
    expect(verifyChain(c.slice(0, 2), { headHash: c[1]!.hash })).toEqual({ ok: true, records: 2 });
    // A log that grew since the head was printed still holds it.
    expect(verifyChain(c, { headHash: c[4]!.hash, expectHead: c[1]!.hash })).toEqual({
      ok: true,
      records: 5,
    });
  });

  it("masks objects and messages when building records", () => {
    // Nothing unmasked goes in: the fake masker's secret is gone from the whole record.
    const text = JSON.stringify(sampleChain());
    expect(text).not.toContain("hunter2");
    expect(text).toContain("***");
  });
});
