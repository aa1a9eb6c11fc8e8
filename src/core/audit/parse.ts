/**
 * Validates a record read from a store (hostile input): shape and types only; hashes and the
 * chain are checked by verifyChain. Throws an Error saying which field is wrong.
 */
import { RISK_LEVELS } from "../model.js";
import { AUDIT_RECORD_KINDS, OBJECT_OUTCOMES, RESULT_STATUSES } from "./record.js";
import type { AuditRecord, AuditRecordBody } from "./record.js";
import { sealRecord } from "./seal.js";
import { MAX_CANONICAL_DEPTH } from "./canonical-json.js";

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(o: Obj, field: string, where: string, optional = false): void {
  const v = o[field];
  if (v === undefined && optional) return;
  if (typeof v !== "string") throw new Error(`${where}: ${field} must be a string`);
}

function int(o: Obj, field: string, where: string): void {
  const v = o[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new Error(`${where}: ${field} must be a non-negative integer`);
  }
}

function oneOf(o: Obj, field: string, allowed: readonly string[], where: string, optional = false): void {
  const v = o[field];
  if (v === undefined && optional) return;
  if (typeof v !== "string" || !allowed.includes(v)) {
    throw new Error(`${where}: ${field} must be one of ${allowed.join(", ")}`);
  }
}

function list(o: Obj, field: string, where: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new Error(`${where}: ${field} must be an array`);
  return v;
}

const OPS = ["create", "update", "delete"] as const;

/**
 * Throws when `value` nests deeper than a record can be hashed: checked without recursion, so a
 * hostile record 200,000 levels deep gets an error naming it, not a stack overflow later.
 */
function assertDepth(value: unknown, where: string): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_CANONICAL_DEPTH)
      throw new Error(`${where}: nested deeper than ${MAX_CANONICAL_DEPTH} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
}

export function parseRecord(value: unknown, where = "audit record"): AuditRecord {
  if (!isObj(value)) throw new Error(`${where}: not a JSON object`);
  assertDepth(value, where);
  int(value, "schema", where);
  for (const f of ["id", "cluster", "repository", "commit", "actor", "time", "hash"]) str(value, f, where);
  for (const f of ["intent", "previousCommit", "message", "startedAt"]) str(value, f, where, true);
  oneOf(value, "kind", AUDIT_RECORD_KINDS, where);
  oneOf(value, "status", RESULT_STATUSES, where, true);
  int(value, "seq", where);
  if (value.prev !== null) str(value, "prev", where);
  if (Number.isNaN(Date.parse(value.time as string)))
    throw new Error(`${where}: time is not an ISO 8601 time`);
  list(value, "pullRequests", where).forEach((n, i) => {
    if (typeof n !== "number" || !Number.isSafeInteger(n))
      throw new Error(`${where}: pullRequests[${i}] must be an integer`);
  });
  list(value, "approvals", where).forEach((a, i) => {
    const w = `${where}: approvals[${i}]`;
    if (!isObj(a)) throw new Error(`${w} must be an object`);
    int(a, "pullRequest", w);
    int(a, "checkRunId", w);
    for (const f of ["headSha", "changeSetDigest", "policyDigest"]) str(a, f, w);
    oneOf(a, "level", RISK_LEVELS, w);
    if (typeof a.auto !== "boolean") throw new Error(`${w}: auto must be a boolean`);
    list(a, "approvers", w).forEach((p, j) => {
      if (!isObj(p)) throw new Error(`${w}.approvers[${j}] must be an object`);
      str(p, "login", `${w}.approvers[${j}]`);
      int(p, "reviewId", `${w}.approvers[${j}]`);
      str(p, "submittedAt", `${w}.approvers[${j}]`);
    });
    list(a, "changes", w).forEach((c, j) => {
      if (!isObj(c)) throw new Error(`${w}.changes[${j}] must be an object`);
      str(c, "key", `${w}.changes[${j}]`);
      str(c, "afterDigest", `${w}.changes[${j}]`);
      oneOf(c, "op", OPS, `${w}.changes[${j}]`);
      oneOf(c, "level", RISK_LEVELS, `${w}.changes[${j}]`);
    });
  });
  if (value.authors !== undefined)
    list(value, "authors", where).forEach((a, i) => {
      if (!isObj(a)) throw new Error(`${where}: authors[${i}] must be an object`);
      int(a, "pullRequest", `${where}: authors[${i}]`);
      str(a, "login", `${where}: authors[${i}]`);
    });
  list(value, "objects", where).forEach((o, i) => {
    const w = `${where}: objects[${i}]`;
    if (!isObj(o)) throw new Error(`${w} must be an object`);
    str(o, "key", w);
    str(o, "digest", w);
    str(o, "maskedDigest", w, true);
    str(o, "message", w, true);
    oneOf(o, "op", OPS, w);
    oneOf(o, "level", RISK_LEVELS, w, true);
    oneOf(o, "outcome", OBJECT_OUTCOMES, w, true);
    if (o.masked !== undefined && !isObj(o.masked)) throw new Error(`${w}: masked must be an object`);
  });
  return value as unknown as AuditRecord;
}

/**
 * Throws unless `body` seals into a record that `parseRecord` (what every reader applies) accepts:
 * a log must never store, or keep resending, a record that would make its own chain unreadable.
 */
export function assertWellFormed(body: AuditRecordBody): void {
  parseRecord(sealRecord(body, null, new Date(0)), `audit record ${body.id}`);
}
