/**
 * Verifies one cluster's chain: every hash, the links (no gap, fork, insertion or reordering),
 * completeness (every intent has exactly one result) and coverage (everything applied is covered
 * by the approval evidence recorded with it). Stops at the first bad record and says what is wrong.
 */
import { AUDIT_RECORD_SCHEMA } from "../constants.js";
import { APPLIED_OUTCOMES } from "./record.js";
import type { AuditObject, AuditRecord } from "./record.js";
import { recordHash } from "./seal.js";

export type ChainProblemKind =
  | "edited"
  | "deleted"
  | "inserted"
  | "reordered"
  | "forked"
  | "foreign"
  | "schema"
  | "unreadable"
  | "duplicate-id"
  | "result-missing"
  | "result-twice"
  | "result-orphan"
  | "uncovered"
  | "head";

export interface ChainProblem {
  kind: ChainProblemKind;
  /** Index of the bad record in the list given. */
  index: number;
  id: string;
  seq: number;
  hash: string;
  message: string;
}

export type ChainVerdict =
  { ok: true; records: number } | { ok: false; records: number; problem: ChainProblem };

export interface VerifyOptions {
  /** The cluster the chain belongs to (default: the first record's). */
  cluster?: string;
  /** Hash of the head pointer; the last record must be it. */
  headHash?: string | null;
}

/** Verifies `records`, given in storage order (time order), of one cluster. */
export function verifyChain(records: readonly AuditRecord[], options: VerifyOptions = {}): ChainVerdict {
  const problem = findProblem(records, options);
  return problem ? { ok: false, records: records.length, problem } : { ok: true, records: records.length };
}

/**
 * Content (not the operation) must match: a deletion needs the key marked deleted; anything else
 * needs a non-deletion of the key with the same, non-empty after-digest (an empty digest would
 * otherwise match a deletion's). Evidence with neither approvers nor auto-approval covers nothing.
 */
function covered(object: AuditObject, record: AuditRecord): boolean {
  return record.approvals.some(
    (approval) =>
      (approval.auto || approval.approvers.length > 0) &&
      approval.changes.some((change) => change.key === object.key && sameContent(object, change)),
  );
}

function sameContent(
  applied: { op: string; digest: string },
  declared: { op: string; digest?: string; afterDigest?: string },
): boolean {
  if (applied.op === "delete") return declared.op === "delete";
  return (
    declared.op !== "delete" &&
    applied.digest !== "" &&
    applied.digest === (declared.afterDigest ?? declared.digest)
  );
}

function findProblem(records: readonly AuditRecord[], options: VerifyOptions): ChainProblem | undefined {
  const cluster = options.cluster ?? records[0]?.cluster;
  const indexByHash = new Map<string, number>();
  const followers = new Map<string, number>();
  records.forEach((r, i) => {
    if (!indexByHash.has(r.hash)) indexByHash.set(r.hash, i);
    const prev = r.prev ?? "";
    followers.set(prev, (followers.get(prev) ?? 0) + 1);
  });
  const ids = new Set<string>();
  const openIntents = new Map<string, AuditRecord>();
  const closedIntents = new Set<string>();
  /** key -> digests that were approved and applied (or adopted) so far: what a drift revert may restore. */
  const approvedContent = new Map<string, Set<string>>();
  let expectedPrev: string | null = null;
  let lastTime = -Infinity;

  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const bad = (kind: ChainProblemKind, message: string, at = i): ChainProblem => {
      const target = records[at]!;
      return { kind, index: at, id: target.id, seq: target.seq, hash: target.hash, message };
    };
    if (r.schema !== AUDIT_RECORD_SCHEMA) return bad("schema", `unknown record schema ${r.schema}`);
    if (r.cluster !== cluster)
      return bad("foreign", `record of cluster ${r.cluster} in the chain of ${cluster}`);
    if (recordHash(r) !== r.hash)
      return bad("edited", "content does not match its hash (the record was edited)");

    if (r.prev !== expectedPrev) {
      const prevIndex = r.prev === null ? undefined : indexByHash.get(r.prev);
      const next = records[i + 1];
      if ((followers.get(r.prev ?? "") ?? 0) > 1) {
        return bad("forked", `the chain forks: another record also follows ${short(r.prev)}`);
      }
      if (prevIndex !== undefined && prevIndex > i) {
        return bad(
          "reordered",
          `follows ${short(r.prev)}, which is stored after it (records were reordered)`,
        );
      }
      if (next && next.prev === expectedPrev) {
        return bad(
          "inserted",
          "not part of the chain: the next record follows its predecessor (the record was inserted)",
        );
      }
      if (prevIndex === undefined) {
        const before = records[i - 1];
        if (before && before.seq === r.seq - 1) {
          return bad(
            "edited",
            `its hash no longer matches what record seq ${r.seq} recorded as prev (the record was rewritten)`,
            i - 1,
          );
        }
        return bad("deleted", `the record before it (${short(r.prev)}) is missing (a record was deleted)`);
      }
      return bad(
        "reordered",
        `follows ${short(r.prev)}, which is not the record stored before it (records were reordered)`,
      );
    }
    const expectedSeq = i === 0 ? 0 : records[i - 1]!.seq + 1;
    if (r.seq !== expectedSeq) {
      return bad(
        r.seq > expectedSeq ? "deleted" : "inserted",
        `sequence number ${r.seq} where ${expectedSeq} was expected`,
      );
    }
    const time = Date.parse(r.time);
    if (!(time > lastTime)) return bad("reordered", `its time ${r.time} is not after the previous record's`);
    lastTime = time;
    if (ids.has(r.id)) return bad("duplicate-id", `record id ${r.id} was written twice`);
    ids.add(r.id);

    const problem = checkCompleteness(r, openIntents, closedIntents, approvedContent);
    if (problem) return bad(problem.kind, problem.message);
    expectedPrev = r.hash;
  }

  if (options.headHash !== undefined) {
    const last = records[records.length - 1];
    if ((last?.hash ?? null) !== options.headHash) {
      const headIndex = options.headHash === null ? undefined : indexByHash.get(options.headHash);
      if (headIndex !== undefined && headIndex + 1 < records.length) {
        const after = records[headIndex + 1]!;
        return {
          kind: "inserted",
          index: headIndex + 1,
          id: after.id,
          seq: after.seq,
          hash: after.hash,
          message: `stored after the head pointer's record (seq ${records[headIndex]!.seq}): the record was inserted, or the head pointer was rewound`,
        };
      }
      const at = records.length - 1;
      return {
        kind: "head",
        index: at,
        id: last?.id ?? "",
        seq: last?.seq ?? -1,
        hash: last?.hash ?? "",
        message:
          options.headHash === null
            ? "the chain has records but no head pointer (the head was deleted)"
            : `the head pointer names ${short(options.headHash)}, which is not in the log (the latest records were deleted)`,
      };
    }
  }
  const open = [...openIntents.values()][0];
  if (open) {
    const index = records.indexOf(open);
    return {
      kind: "result-missing",
      index,
      id: open.id,
      seq: open.seq,
      hash: open.hash,
      message: "intent has no result record",
    };
  }
  return undefined;
}

function checkCompleteness(
  r: AuditRecord,
  openIntents: Map<string, AuditRecord>,
  closedIntents: Set<string>,
  approvedContent: Map<string, Set<string>>,
): { kind: ChainProblemKind; message: string } | undefined {
  const remember = (o: AuditObject): void => {
    const set = approvedContent.get(o.key) ?? new Set<string>();
    set.add(o.op === "delete" ? "" : o.digest);
    approvedContent.set(o.key, set);
  };
  switch (r.kind) {
    case "intent": {
      const uncovered = r.objects.find((o) => !covered(o, r));
      if (uncovered) {
        return {
          kind: "uncovered",
          message: `${uncovered.op} of ${uncovered.key} (${short(uncovered.digest)}) is not covered by the recorded approval evidence`,
        };
      }
      r.objects.forEach(remember);
      openIntents.set(r.id, r);
      return undefined;
    }
    case "result": {
      const intentId = r.intent ?? "";
      const intent = openIntents.get(intentId);
      if (!intent) {
        return closedIntents.has(intentId)
          ? { kind: "result-twice", message: `second result for intent ${intentId}` }
          : {
              kind: "result-orphan",
              message: `result for intent ${intentId || "(none)"}, which is not in the chain before it`,
            };
      }
      openIntents.delete(intentId);
      closedIntents.add(intentId);
      const declared = new Map(intent.objects.map((o) => [o.key, o]));
      const stray = r.objects.find((o) => {
        if (!o.outcome || !APPLIED_OUTCOMES.includes(o.outcome)) return false;
        const d = declared.get(o.key);
        // An object reported deleted was applied as a deletion, whatever its op says.
        const applied = o.outcome === "deleted" ? { op: "delete", digest: "" } : o;
        return !d || !sameContent(applied, d);
      });
      if (stray) {
        return {
          kind: "uncovered",
          message: `${stray.key} was ${stray.outcome ?? "applied"} but its intent did not declare that content`,
        };
      }
      return undefined;
    }
    case "drift": {
      const stray = r.objects.find(
        (o) => !approvedContent.get(o.key)?.has(o.op === "delete" ? "" : o.digest),
      );
      if (stray)
        return {
          kind: "uncovered",
          message: `drift revert of ${stray.key} restored content no earlier record approved`,
        };
      return undefined;
    }
    case "baseline":
      r.objects.forEach(remember);
      return undefined;
    case "refusal":
      return undefined;
  }
}

function short(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : "(none)";
}
