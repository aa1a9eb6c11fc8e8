/**
 * Record hashing, sealing (chain position + time + hash) and the storage key of a record.
 */
import { canonicalJson, sha256Hex } from "./canonical-json.js";
import type { AuditRecord, AuditRecordBody } from "./record.js";

/** sha256 of the canonical JSON of the record with its `hash` member removed. */
export function recordHash(record: Omit<AuditRecord, "hash"> & { hash?: string }): string {
  const { hash: _hash, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/**
 * Seals a body onto the chain after `head` (the cluster's latest record, or null for the first).
 * The record time is `now`, but strictly after the head's time, so the time-sorted store
 * listing is always chain order even when clocks step back.
 */
export function sealRecord(body: AuditRecordBody, head: AuditRecord | null, now: Date): AuditRecord {
  if (head && head.cluster !== body.cluster) {
    throw new Error(`sealing an audit record for cluster ${body.cluster} onto the chain of ${head.cluster}`);
  }
  let time = now.getTime();
  if (head) time = Math.max(time, Date.parse(head.time) + 1);
  const unsealed = {
    ...body,
    seq: head ? head.seq + 1 : 0,
    time: new Date(time).toISOString(),
    prev: head ? head.hash : null,
  };
  return { ...unsealed, hash: recordHash(unsealed) };
}

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Cluster names become path segments and S3 key parts: letters, digits, `.`, `_`, `-`; not `.`/`..`. */
/** Whether `name` can name a cluster (a store's directory or prefix that cannot holds no chain). */
export function isClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name) && name !== "." && name !== "..";
}

export function assertClusterName(cluster: string): void {
  if (!isClusterName(cluster)) {
    throw new Error(
      `invalid cluster name ${JSON.stringify(cluster.slice(0, 80))}: use 1-63 letters, digits, '.', '_' or '-'`,
    );
  }
}

/** `20261122T041949.123Z`: ISO 8601 basic format, sortable and safe in file names. */
export function compactTime(iso: string): string {
  return iso.replace(/[-:]/g, "");
}

/** `<cluster>/YYYY/MM/DD/<time>-<kind>-<commit7>-<hash8>.json` (the store adds its prefix). */
export function recordKey(record: AuditRecord): string {
  assertClusterName(record.cluster);
  const day = record.time.slice(0, 10).split("-").join("/");
  const commit7 = (record.commit.replace(/[^0-9a-fA-F]/g, "").slice(0, 7) || "nocommit").toLowerCase();
  return `${record.cluster}/${day}/${compactTime(record.time)}-${record.kind}-${commit7}-${record.hash.slice(0, 8)}.json`;
}
