import { APPROVAL_RECORD_SCHEMA } from "../constants.js";
import { RISK_LEVELS } from "../model.js";
import type { ApprovalRecord, Approver, RecordedChange, RecordedProtectedFile, RiskLevel } from "../model.js";

/** Bounds that keep a hostile record cheap to reject. */
export const RECORD_LIMITS = {
  changes: 50_000,
  approvers: 1_000,
  keyLength: 1_024,
  protectedFiles: 1_000,
} as const;

const HEX64 = /^[0-9a-f]{64}$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9_.-]{1,100}$/;
/** A PR's author may be a GitHub App's bot account (`renovate[bot]`). */
const AUTHOR = /^[A-Za-z0-9_.-]{1,100}(?:\[bot\])?$/;
// eslint-disable-next-line no-control-regex
const PATH_CHARS = /^[^\u0000-\u001f\u007f]{1,1024}$/;
const DIGEST = /^[A-Za-z0-9:_-]{1,128}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const OPERATIONS: readonly string[] = ["create", "update", "delete"];
const LEVELS: readonly string[] = RISK_LEVELS;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function exactKeys(v: Obj, keys: readonly string[], where: string, problems: string[]): void {
  for (const k of Object.keys(v))
    if (!keys.includes(k)) problems.push(`${where}: unknown field ${JSON.stringify(k.slice(0, 40))}`);
  for (const k of keys) if (!(k in v)) problems.push(`${where}: missing field ${k}`);
}

function matches(v: unknown, re: RegExp): v is string {
  return typeof v === "string" && re.test(v);
}

function isTimestamp(v: unknown): v is string {
  return matches(v, TIMESTAMP) && !Number.isNaN(Date.parse(v));
}

const RECORD_KEYS = [
  "schema",
  "repository",
  "pullRequest",
  "author",
  "headSha",
  "baseSha",
  "changeSetDigest",
  "protectedFiles",
  "level",
  "auto",
  "changes",
  "approvers",
  "policyDigest",
  "createdAt",
] as const;

function checkChange(c: unknown, i: number, problems: string[]): void {
  const where = `changes[${i}]`;
  if (!isObject(c)) {
    problems.push(`${where}: not an object`);
    return;
  }
  exactKeys(c, ["key", "op", "afterDigest", "level"], where, problems);
  if (typeof c.key !== "string" || c.key.length === 0 || c.key.length > RECORD_LIMITS.keyLength) {
    problems.push(`${where}.key: not an object key`);
  }
  if (typeof c.op !== "string" || !OPERATIONS.includes(c.op)) problems.push(`${where}.op: not an operation`);
  if (c.op === "delete" ? c.afterDigest !== "" : !matches(c.afterDigest, HEX64)) {
    problems.push(`${where}.afterDigest: must be a sha256 hex digest, or empty for a deletion`);
  }
  if (typeof c.level !== "string" || !LEVELS.includes(c.level))
    problems.push(`${where}.level: not a risk level`);
}

function checkProtectedFile(f: unknown, i: number, problems: string[]): void {
  const where = `protectedFiles[${i}]`;
  if (!isObject(f)) {
    problems.push(`${where}: not an object`);
    return;
  }
  exactKeys(f, ["path", "blob"], where, problems);
  if (!matches(f.path, PATH_CHARS)) problems.push(`${where}.path: not a repository path`);
  if (f.blob !== null && !matches(f.blob, SHA)) problems.push(`${where}.blob: not a blob SHA or null`);
}

function checkApprover(a: unknown, i: number, problems: string[]): void {
  const where = `approvers[${i}]`;
  if (!isObject(a)) {
    problems.push(`${where}: not an object`);
    return;
  }
  exactKeys(a, ["login", "reviewId", "submittedAt"], where, problems);
  if (!matches(a.login, LOGIN)) problems.push(`${where}.login: not a login`);
  if (!Number.isSafeInteger(a.reviewId) || (a.reviewId as number) <= 0)
    problems.push(`${where}.reviewId: not a review id`);
  if (!isTimestamp(a.submittedAt)) problems.push(`${where}.submittedAt: not a timestamp`);
}

/**
 * Check every field of a decoded approval record strictly (types, formats, bounds, order, no extra
 * fields). Returns the problems found; an empty list means `value` is a well-formed ApprovalRecord.
 * Does not check the change-set digest against the changes: see `decodeApprovalRecord`.
 */
export function approvalRecordProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ["record: not an object"];
  exactKeys(value, RECORD_KEYS, "record", problems);
  if (value.schema !== APPROVAL_RECORD_SCHEMA) problems.push(`schema: expected ${APPROVAL_RECORD_SCHEMA}`);
  if (!matches(value.repository, REPOSITORY)) problems.push("repository: not owner/name");
  if (!Number.isSafeInteger(value.pullRequest) || (value.pullRequest as number) <= 0) {
    problems.push("pullRequest: not a pull request number");
  }
  if (!matches(value.author, AUTHOR)) problems.push("author: not a login");
  if (!matches(value.headSha, SHA)) problems.push("headSha: not a commit SHA");
  if (!matches(value.baseSha, SHA)) problems.push("baseSha: not a commit SHA");
  if (!matches(value.changeSetDigest, DIGEST)) problems.push("changeSetDigest: not a digest");
  if (!matches(value.policyDigest, DIGEST)) problems.push("policyDigest: not a digest");
  if (typeof value.level !== "string" || !LEVELS.includes(value.level))
    problems.push("level: not a risk level");
  if (typeof value.auto !== "boolean") problems.push("auto: not a boolean");
  if (!isTimestamp(value.createdAt)) problems.push("createdAt: not a timestamp");

  const changes = value.changes;
  if (!Array.isArray(changes) || changes.length > RECORD_LIMITS.changes) {
    problems.push(`changes: not a list of at most ${RECORD_LIMITS.changes} changes`);
  } else {
    changes.forEach((c, i) => checkChange(c, i, problems));
    for (let i = 1; i < changes.length; i++) {
      const prev = (changes[i - 1] as Obj | undefined)?.key;
      const key = (changes[i] as Obj | undefined)?.key;
      if (typeof prev === "string" && typeof key === "string" && !(prev < key)) {
        problems.push(`changes[${i}].key: changes must be sorted by key, without duplicates`);
      }
    }
  }
  const files = value.protectedFiles;
  if (!Array.isArray(files) || files.length > RECORD_LIMITS.protectedFiles) {
    problems.push(`protectedFiles: not a list of at most ${RECORD_LIMITS.protectedFiles} files`);
  } else {
    files.forEach((f, i) => checkProtectedFile(f, i, problems));
    for (let i = 1; i < files.length; i++) {
      const prev = (files[i - 1] as Obj | undefined)?.path;
      const path = (files[i] as Obj | undefined)?.path;
      if (typeof prev === "string" && typeof path === "string" && !(prev < path)) {
        problems.push(`protectedFiles[${i}].path: files must be sorted by path, without duplicates`);
      }
    }
  }
  const approvers = value.approvers;
  if (!Array.isArray(approvers) || approvers.length > RECORD_LIMITS.approvers) {
    problems.push(`approvers: not a list of at most ${RECORD_LIMITS.approvers} approvers`);
  } else {
    approvers.forEach((a, i) => checkApprover(a, i, problems));
  }
  return problems.slice(0, 20);
}

/** Narrowing helper once `approvalRecordProblems(value)` is empty. */
export function asApprovalRecord(value: unknown): ApprovalRecord {
  const v = value as Obj;
  return {
    schema: v.schema as number,
    repository: v.repository as string,
    pullRequest: v.pullRequest as number,
    author: v.author as string,
    headSha: v.headSha as string,
    baseSha: v.baseSha as string,
    changeSetDigest: v.changeSetDigest as string,
    protectedFiles: (v.protectedFiles as RecordedProtectedFile[]).map((f) => ({
      path: f.path,
      blob: f.blob,
    })),
    level: v.level as RiskLevel,
    auto: v.auto as boolean,
    changes: (v.changes as RecordedChange[]).map((c) => ({
      key: c.key,
      op: c.op,
      afterDigest: c.afterDigest,
      level: c.level,
    })),
    approvers: (v.approvers as Approver[]).map((a) => ({
      login: a.login,
      reviewId: a.reviewId,
      submittedAt: a.submittedAt,
    })),
    policyDigest: v.policyDigest as string,
    createdAt: v.createdAt as string,
  };
}
