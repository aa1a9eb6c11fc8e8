/**
 * Builds record bodies from what the reconciler knows. Every object and every message goes
 * through the injected Masker here, so nothing unmasked can reach a record.
 */
import { AUDIT_RECORD_SCHEMA } from "../constants.js";
import type { Masker } from "../mask/types.js";
import type { KubeObject, Operation, RiskLevel } from "../model.js";
import { canonicalJson, sha256Hex } from "./canonical-json.js";
import type {
  AuditApproval,
  AuditObject,
  AuditRecordBody,
  AuditRecordKind,
  ObjectOutcome,
  PullRequestAuthor,
  ResultStatus,
} from "./record.js";

/** One object as the reconciler hands it in: content digest plus (optionally) the unmasked object. */
export interface ObjectInput {
  key: string;
  op: Operation;
  /** Content digest of the unmasked object as approved (ManifestObject.digest); empty for deletions. */
  digest: string;
  /** The unmasked object; it is masked before it is recorded. */
  object?: KubeObject;
  level?: RiskLevel;
  outcome?: ObjectOutcome;
  message?: string;
}

/** What every record names: where it happened and what it was about. */
export interface RecordContext {
  id: string;
  cluster: string;
  actor: string;
  repository: string;
  commit: string;
  pullRequests?: number[];
  approvals?: AuditApproval[];
  objects?: ObjectInput[];
  message?: string;
  startedAt?: string;
  authors?: PullRequestAuthor[];
}

export interface ResultFields {
  intent: string;
  status: ResultStatus;
}

function maskObjectInput(input: ObjectInput, masker: Masker): AuditObject {
  // The parser accepts any name without `/` or whitespace, so a key can hold a credential shape;
  // maskText leaves every ordinary key unchanged (the plan report masks keys the same way).
  const out: AuditObject = { key: masker.maskText(input.key), op: input.op, digest: input.digest };
  if (input.level) out.level = input.level;
  if (input.object) {
    const masked = masker.maskObject(input.object);
    out.masked = masked;
    out.maskedDigest = sha256Hex(canonicalJson(masked));
  }
  if (input.outcome) out.outcome = input.outcome;
  if (input.message !== undefined) out.message = masker.maskText(input.message);
  return out;
}

/** A record body of `kind`, with every object and message masked. */
export function buildRecordBody(
  kind: AuditRecordKind,
  context: RecordContext,
  masker: Masker,
  extra: Partial<ResultFields> & { previousCommit?: string } = {},
): AuditRecordBody {
  const body: AuditRecordBody = {
    schema: AUDIT_RECORD_SCHEMA,
    id: context.id,
    kind,
    cluster: context.cluster,
    repository: context.repository,
    commit: context.commit,
    pullRequests: [...(context.pullRequests ?? [])].sort((a, b) => a - b),
    // Keys masked as the objects' are, so completeness checks still match them.
    approvals: structuredClone(context.approvals ?? []).map((a) => ({
      ...a,
      changes: a.changes.map((c) => ({ ...c, key: masker.maskText(c.key) })),
    })),
    objects: (context.objects ?? []).map((o) => maskObjectInput(o, masker)),
    actor: context.actor,
  };
  if (extra.intent !== undefined) body.intent = extra.intent;
  if (extra.status !== undefined) body.status = extra.status;
  if (extra.previousCommit !== undefined) body.previousCommit = extra.previousCommit;
  if (context.message !== undefined) body.message = masker.maskText(context.message);
  if (context.startedAt !== undefined) body.startedAt = context.startedAt;
  if (context.authors !== undefined)
    body.authors = [...context.authors]
      .map((a) => ({ pullRequest: a.pullRequest, login: a.login }))
      .sort((a, b) => a.pullRequest - b.pullRequest);
  return body;
}

/** Result ids derive from the intent id: a resent result can never become a second result. */
export function resultId(intentId: string): string {
  return `${intentId}.result`;
}
