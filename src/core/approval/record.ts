import { deflateRawSync, inflateRawSync } from "node:zlib";
import { APPROVAL_RECORD_SCHEMA, GITHUB_TEXT_LIMIT } from "../constants.js";
import type { ApprovalRecord, Plan, RecordedChange, RecordedProtectedFile, RiskLevel } from "../model.js";
import { changeSetDigest } from "./change-set-digest.js";
import type { ApprovalVerdict } from "./evaluate.js";
import { approvalRecordProblems, asApprovalRecord } from "./record-schema.js";

/** What the gate knows when the requirement is met. */
export interface ApprovalRecordArgs {
  /** `owner/name`. */
  repository: string;
  pullRequest: number;
  /** Login of the PR's author. */
  author: string;
  headSha: string;
  baseSha: string;
  /** The protected files the PR changes, with their head blobs (see protectedFileStates). */
  protectedFiles: readonly RecordedProtectedFile[];
  /** The plan of the head (after `escalateForProtectedFiles`): changes, levels, policy digest. */
  plan: Plan;
  /** Must be satisfied: a record is written only when the requirement is met. */
  verdict: ApprovalVerdict;
  createdAt: Date | string;
}

/** Why building, encoding or decoding an approval record failed. Never carries record content beyond field names. */
export class ApprovalRecordError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join("; ")}` : message, options);
    this.name = "ApprovalRecordError";
  }
}

/** Marker that opens the machine-readable block; the version is the record schema. */
export const APPROVAL_RECORD_MARKER = `<!-- countersign:approval-record:v${APPROVAL_RECORD_SCHEMA} `;
const MARKER_PREFIX = "<!-- countersign:approval-record:v";
const MARKER_END = " -->";
/** The encoded block must fit in a check run's `text` next to a short human summary. */
export const APPROVAL_RECORD_MAX_CHARS = GITHUB_TEXT_LIMIT - 1_535;
/** Decompressed JSON above this is refused (a compressed "bomb" cannot blow up memory). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Texts longer than this are refused before any parsing. */
const MAX_TEXT_CHARS = 4 * GITHUB_TEXT_LIMIT;

const byKey = (a: { key: string }, b: { key: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** Build the record the gate writes into its check run when `verdict` is satisfied. Throws ApprovalRecordError otherwise. */
export function buildApprovalRecord(args: ApprovalRecordArgs): ApprovalRecord {
  const { plan, verdict } = args;
  if (!verdict.satisfied)
    throw new ApprovalRecordError("building approval record: the requirement is not met");
  const levels = new Map<string, RiskLevel>();
  for (const c of plan.classification.changes) levels.set(c.change.key, c.level);
  const changes: RecordedChange[] = plan.changeSet.changes.map((change) => {
    const afterDigest = change.op === "delete" ? "" : change.after?.digest;
    if (afterDigest === undefined) {
      throw new ApprovalRecordError(`building approval record: change ${change.key} has no after-content`);
    }
    // A change the classification missed takes the PR's level (fail closed: never lower).
    return {
      key: change.key,
      op: change.op,
      afterDigest,
      level: levels.get(change.key) ?? plan.classification.level,
    };
  });
  changes.sort(byKey);
  const digest = changeSetDigest(changes);
  if (digest !== plan.changeSet.digest) {
    throw new ApprovalRecordError(
      "building approval record: the plan's change-set digest does not match its changes",
    );
  }
  const createdAt = typeof args.createdAt === "string" ? args.createdAt : args.createdAt.toISOString();
  const record: ApprovalRecord = {
    schema: APPROVAL_RECORD_SCHEMA,
    repository: args.repository,
    pullRequest: args.pullRequest,
    author: args.author,
    headSha: args.headSha,
    baseSha: args.baseSha,
    changeSetDigest: digest,
    protectedFiles: args.protectedFiles
      .map((f) => ({ path: f.path, blob: f.blob }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    level: plan.classification.level,
    auto: verdict.auto,
    changes,
    approvers: verdict.approvers.map((a) => ({
      login: a.login,
      reviewId: a.reviewId,
      submittedAt: a.submittedAt,
    })),
    policyDigest: plan.classification.policyDigest,
    createdAt,
  };
  const problems = approvalRecordProblems(record);
  if (problems.length > 0) throw new ApprovalRecordError("building approval record", problems);
  return record;
}

function humanSummary(record: ApprovalRecord): string {
  const approvers = record.auto ? "auto-approved" : record.approvers.map((a) => a.login).join(", ");
  return [
    "```text",
    `countersign approval record v${record.schema}`,
    `pull request: ${record.repository}#${record.pullRequest} by ${record.author}`,
    `head: ${record.headSha}`,
    `change set: ${record.changeSetDigest} (${record.changes.length} change${record.changes.length === 1 ? "" : "s"})`,
    ...record.protectedFiles.map((f) => `protected file: ${JSON.stringify(f.path)} ${f.blob ?? "deleted"}`),
    `level: ${record.level}`,
    `approved by: ${approvers}`,
    `policy: ${record.policyDigest}`,
    `created: ${record.createdAt}`,
    "```",
  ].join("\n");
}

/**
 * The record as a block for a check run's `text`: an HTML comment holding base64url(deflate(JSON)),
 * which GitHub keeps verbatim and does not render, followed by a fenced human summary.
 * Throws ApprovalRecordError when the block would not fit GitHub's text limit.
 */
export function encodeApprovalRecord(record: ApprovalRecord): string {
  const problems = approvalRecordProblems(record);
  if (problems.length > 0) throw new ApprovalRecordError("encoding approval record", problems);
  const block = blockOf(record);
  if (block.length > APPROVAL_RECORD_MAX_CHARS) {
    throw new ApprovalRecordError(
      `encoding approval record: ${record.changes.length} changes need ${block.length} characters, more than ${APPROVAL_RECORD_MAX_CHARS}`,
    );
  }
  return block;
}

function blockOf(record: ApprovalRecord): string {
  const payload = deflateRawSync(Buffer.from(JSON.stringify(record), "utf8"), { level: 9 }).toString(
    "base64url",
  );
  return `${APPROVAL_RECORD_MARKER}${payload}${MARKER_END}\n\n${humanSummary(record)}\n`;
}

/** Characters kept free per expected approver and overall when a record is sized before approval. */
const FIT_MARGIN = { perApprover: 96, overall: 512 } as const;

export interface RecordFit {
  fits: boolean;
  /** Characters the record's block is expected to need once approved. */
  chars: number;
  /** What it may need at most: APPROVAL_RECORD_MAX_CHARS less a margin for what is not yet known. */
  limit: number;
}

/**
 * Whether the approval record of a plan will fit a check run once approved, sized before anyone
 * approves (docs/approval.md "Size limit"): a PR too large to record must say so on its first
 * evaluation, never fail after people approved. Approvers, the PR number and the time are not
 * known yet: placeholders of the longest realistic shape stand in, and a margin per expected
 * approver is kept free.
 */
export function approvalRecordFit(
  args: Omit<ApprovalRecordArgs, "verdict" | "createdAt">,
  approvals: number,
): RecordFit {
  const count = Math.min(Math.max(approvals, 1), 100);
  const approvers = Array.from({ length: count }, (_, i) => ({
    login: `approver-${i}`.padEnd(39, "x"),
    reviewId: 9_000_000_000 + i,
    submittedAt: "2026-12-31T23:59:59.999Z",
  }));
  const verdict: ApprovalVerdict = {
    satisfied: true,
    auto: false,
    requirement: { approvals: count, teams: [], users: [], auto: false },
    needed: count,
    approvers,
    blocking: [],
    ignored: [],
    byAssociation: true,
  };
  const record = buildApprovalRecord({ ...args, verdict, createdAt: "2026-12-31T23:59:59.999Z" });
  const chars = blockOf(record).length;
  const limit = APPROVAL_RECORD_MAX_CHARS - FIT_MARGIN.overall - FIT_MARGIN.perApprover * count;
  return { fits: chars <= limit, chars, limit };
}

export type DecodeResult = { ok: true; record: ApprovalRecord } | { ok: false; error: string };

/**
 * Find, decode and validate the approval record in a check run's `text`. Hostile text never throws:
 * the result says what was wrong. The change-set digest is recomputed from the recorded changes.
 */
export function decodeApprovalRecordResult(text: unknown): DecodeResult {
  const fail = (error: string): DecodeResult => ({ ok: false, error: `decoding approval record: ${error}` });
  if (typeof text !== "string") return fail("text is not a string");
  if (text.length > MAX_TEXT_CHARS) return fail(`text longer than ${MAX_TEXT_CHARS} characters`);
  const start = text.indexOf(MARKER_PREFIX);
  if (start < 0) return fail("no approval record in the text");
  if (text.indexOf(MARKER_PREFIX, start + 1) >= 0) return fail("more than one approval record in the text");
  if (!text.startsWith(APPROVAL_RECORD_MARKER, start)) {
    const version = /^v(\d{1,6}) /.exec(
      text.slice(start + MARKER_PREFIX.length - 1, start + MARKER_PREFIX.length + 8),
    );
    const which = version === null ? "an unreadable version" : `schema v${version[1]}`;
    return fail(
      `unsupported approval record version: the record is ${which}, this version of countersign reads only v${APPROVAL_RECORD_SCHEMA} (re-run the check to write a new record)`,
    );
  }
  const from = start + APPROVAL_RECORD_MARKER.length;
  const end = text.indexOf(MARKER_END, from);
  if (end < 0) return fail("the record block is not closed");
  const payload = text.slice(from, end);
  if (
    payload.length === 0 ||
    payload.length > APPROVAL_RECORD_MAX_CHARS ||
    !/^[A-Za-z0-9_-]+$/.test(payload)
  ) {
    return fail("the record payload is not bounded base64url");
  }
  let json: string;
  try {
    json = inflateRawSync(Buffer.from(payload, "base64url"), { maxOutputLength: MAX_JSON_BYTES }).toString(
      "utf8",
    );
  } catch {
    return fail("the record payload does not decompress within bounds");
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail("the record payload is not JSON");
  }
  const problems = approvalRecordProblems(value);
  if (problems.length > 0) return fail(problems.join("; "));
  const record = asApprovalRecord(value);
  if (changeSetDigest(record.changes) !== record.changeSetDigest) {
    return fail("the change-set digest does not match the recorded changes");
  }
  return { ok: true, record };
}

/** The approval record in a check run's `text`, or undefined when there is none or it is not valid. Never throws. */
export function decodeApprovalRecord(text: string): ApprovalRecord | undefined {
  const result = decodeApprovalRecordResult(text);
  return result.ok ? result.record : undefined;
}
