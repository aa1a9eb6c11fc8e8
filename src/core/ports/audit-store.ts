import type { AuditRecord } from "../audit/record.js";

/** The head of a cluster's chain: its latest record, and the store's version token for a conditional advance. */
export interface AuditHead {
  record: AuditRecord;
  /** S3 ETag / local sequence: what the next append must match. */
  version: string;
}

/**
 * Where audit records live (a local directory, an S3 bucket). Keys are relative to the store's
 * prefix: `<cluster>/YYYY/MM/DD/<time>-<kind>-<commit7>-<hash8>.json`.
 *
 * `append` is the only writer: it reads the head, calls `build(head)` to seal the new record on it,
 * advances the head with a conditional write (so two writers cannot fork the chain; a lost race
 * re-reads the head and calls `build` again, a bounded number of times) and only then stores the
 * record under its key. The head holds the full latest record, so once `append` has advanced it
 * the record is durable; a record the writer did not get to store under its key is stored by the
 * next `append` (or read from the head by `readChain`).
 */
export interface AuditStore {
  /** Human-readable location (`file:///var/lib/...`, `s3://bucket/prefix`) for messages. */
  readonly location: string;
  /** Cluster names that have records. */
  listClusters(): Promise<string[]>;
  /** Record keys of one cluster in key (= time = chain) order. */
  listKeys(cluster: string): Promise<string[]>;
  /** The parsed JSON of one record (unvalidated: pass it through parseRecord). */
  readRecord(key: string): Promise<unknown>;
  /** The cluster's head, or null when it has no records. */
  readHead(cluster: string): Promise<AuditHead | null>;
  /** Appends the record `build` seals on the current head; returns it as stored. */
  append(cluster: string, build: (head: AuditRecord | null) => AuditRecord): Promise<AuditRecord>;
}

/** Thrown by `append` when the head kept moving under it for every allowed attempt. */
export class AuditHeadConflictError extends Error {
  constructor(cluster: string, attempts: number) {
    super(`advancing the audit chain head of ${cluster}: lost the race ${attempts} times`);
    this.name = "AuditHeadConflictError";
  }
}

/** Thrown by `append` when the cluster has records but no head: a new chain would fork the log. */
export class AuditHeadMissingError extends Error {
  constructor(cluster: string, location: string) {
    super(
      `appending to the audit chain of ${cluster} in ${location}: records exist but the chain head is missing; refusing to start a second chain (restore the head, e.g. from its previous version)`,
    );
    this.name = "AuditHeadMissingError";
  }
}

/**
 * Thrown by `append` when the store holds records past the head (the head was rewound, e.g.
 * restored from an old version): appending would fork the chain after the head.
 */
export class AuditHeadRewoundError extends Error {
  constructor(cluster: string, location: string, headSeq: number, pastKey: string) {
    super(
      `appending to the audit chain of ${cluster} in ${location}: the store holds records past the head (seq ${headSeq}), e.g. ${pastKey}; the head was rewound, and appending would fork the chain (restore the head to the latest record, then run \`countersign audit verify\`)`,
    );
    this.name = "AuditHeadRewoundError";
  }
}
