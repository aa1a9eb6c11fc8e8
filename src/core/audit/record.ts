/**
 * Audit log records: one JSON record per event, chained per cluster by `prev`/`hash`.
 * The shape is load-bearing (it is hashed): bump AUDIT_RECORD_SCHEMA on any change.
 */
import type { Approver, KubeObject, Operation, RecordedChange, RiskLevel } from "../model.js";

export const AUDIT_RECORD_KINDS = ["intent", "result", "refusal", "baseline", "drift"] as const;
/** intent: before the first cluster write; result: after every attempt; refusal: unapproved content; baseline: adopted commit; drift: drift found and reverted. */
export type AuditRecordKind = (typeof AUDIT_RECORD_KINDS)[number];

/** Per-object outcome of an apply attempt (fluxcd ssa style), or `refused` for a refusal. */
export const OBJECT_OUTCOMES = [
  "created",
  "configured",
  "unchanged",
  "deleted",
  "skipped",
  "failed",
  "refused",
] as const;
export type ObjectOutcome = (typeof OBJECT_OUTCOMES)[number];

/** Outcomes that mean content reached the cluster: these must be covered by approval evidence. */
export const APPLIED_OUTCOMES: readonly ObjectOutcome[] = ["created", "configured", "deleted"];

/** Outcome of a whole attempt. `interrupted`: the process stopped between intent and result (written on restart). */
export const RESULT_STATUSES = ["succeeded", "failed", "interrupted"] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** The approval evidence the reconciler verified before applying (from the gate's approval record). */
export interface AuditApproval {
  pullRequest: number;
  headSha: string;
  /** Id of the gate's check run that carried the approval record. */
  checkRunId: number;
  changeSetDigest: string;
  policyDigest: string;
  level: RiskLevel;
  /** True when the level was auto-approved (no approvers needed). */
  auto: boolean;
  approvers: Approver[];
  /** The changes the approval binds: (key, op, afterDigest). */
  changes: RecordedChange[];
}

/** One object of a record: its content digest (of the unmasked object), and only ever its masked form. */
export interface AuditObject {
  key: string;
  op: Operation;
  /** sha256 of the canonical JSON of the (unmasked) object as approved; empty for deletions. */
  digest: string;
  level?: RiskLevel;
  /** The object after masking (absent for deletions or when not recorded). */
  masked?: KubeObject;
  /** sha256 of the canonical JSON of `masked`. */
  maskedDigest?: string;
  outcome?: ObjectOutcome;
  /** Masked message (error text, refusal reason). */
  message?: string;
}

/** Who opened a pull request (segregation of duties: the author must not be the approver). */
export interface PullRequestAuthor {
  pullRequest: number;
  login: string;
}

/** Everything of a record except its chain position and hash. */
export interface AuditRecordBody {
  schema: number;
  /** Unique record id; results use `<intent id>.result` so a resend can never write a result twice. */
  id: string;
  kind: AuditRecordKind;
  cluster: string;
  repository: string;
  commit: string;
  pullRequests: number[];
  approvals: AuditApproval[];
  objects: AuditObject[];
  /** The reconciler's identity (service account, role ARN...). */
  actor: string;
  /**
   * Intent records: the authors of the pull requests applied. Optional and left out when not
   * given, so records written before it existed hash as they did.
   */
  authors?: PullRequestAuthor[];
  /** Result records: the intent they close. */
  intent?: string;
  /** Result records: outcome of the whole attempt. */
  status?: ResultStatus;
  /** Baseline records: the commit that was applied before the adopted one. */
  previousCommit?: string;
  /** Masked free text. */
  message?: string;
  /** When the event started (results: the apply attempt; ISO 8601). */
  startedAt?: string;
}

/** A record as stored: body + chain position (`seq`, `prev`), record time and its own `hash`. */
export interface AuditRecord extends AuditRecordBody {
  /** 0 for the first record of the cluster, then +1. */
  seq: number;
  /** ISO 8601 time the record was sealed; strictly increasing along the chain. */
  time: string;
  /** Hash of the previous record of the same cluster; null for the first. */
  prev: string | null;
  /** sha256 (hex) of the canonical JSON of the record without `hash`. */
  hash: string;
}
