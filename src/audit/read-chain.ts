/** Reads and validates a cluster's whole chain from a store, for `audit ls/show/verify/report`. */
import { parseRecord } from "../core/audit/parse.js";
import type { AuditRecord } from "../core/audit/record.js";
import { recordKey } from "../core/audit/seal.js";
import type { AuditStore } from "../core/ports/audit-store.js";

export interface StoredChain {
  cluster: string;
  records: AuditRecord[];
  keys: string[];
  /** Hash of the head pointer's record (null: no head). */
  headHash: string | null;
}

/** Records in key order; the head record is appended when its writer did not get to store it under its key. */
export async function readChain(store: AuditStore, cluster: string, concurrency = 16): Promise<StoredChain> {
  const keys = await store.listKeys(cluster);
  const records = new Array<AuditRecord>(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const i = next++;
      const key = keys[i]!;
      records[i] = parseRecord(await store.readRecord(key), `audit record ${key}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  const head = await store.readHead(cluster);
  if (head && !keys.includes(recordKey(head.record)) && !records.some((r) => r.hash === head.record.hash)) {
    records.push(head.record);
    keys.push(recordKey(head.record));
  }
  return { cluster, records, keys, headHash: head?.record.hash ?? null };
}
