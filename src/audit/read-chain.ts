/**
 * Reads a cluster's records from a store for `audit ls/show/verify/report`, one at a time in
 * key (= chain) order with a bounded read-ahead, so a long log is never held in memory whole.
 * A record that cannot be read or parsed is an entry with its error: `verify` names it and stops,
 * `ls`/`show` skip it with a warning.
 */
import { parseRecord } from "../core/audit/parse.js";
import type { AuditRecord } from "../core/audit/record.js";
import { recordKey } from "../core/audit/seal.js";
import { ChainVerifier } from "../core/audit/verify.js";
import type { ChainVerdict } from "../core/audit/verify.js";
import { describeError } from "../core/error-text.js";
import type { AuditStore } from "../core/ports/audit-store.js";

export type ReadEntry = { key: string; record: AuditRecord } | { key: string; error: Error };

/** Records of `keys`, in order, read `concurrency` ahead of the consumer. Never throws for one record. */
export async function* readRecords(
  store: AuditStore,
  keys: readonly string[],
  concurrency = 16,
): AsyncGenerator<ReadEntry> {
  const read = async (key: string): Promise<ReadEntry> => {
    try {
      return { key, record: parseRecord(await store.readRecord(key), `audit record ${key}`) };
    } catch (error) {
      return { key, error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
  const window: Array<Promise<ReadEntry>> = [];
  let next = 0;
  while (next < keys.length && window.length < concurrency) window.push(read(keys[next++]!));
  while (window.length > 0) {
    const entry = await window.shift()!;
    if (next < keys.length) window.push(read(keys[next++]!));
    yield entry;
  }
}

/**
 * Every record of a cluster in key order, then the head's record when its writer did not get to
 * store it under its key. `onHead` is told the head pointer's record hash (null: no head). The
 * keys are listed before the head is read, so a record appended meanwhile is the head, not a
 * record past it.
 */
export async function* clusterRecords(
  store: AuditStore,
  cluster: string,
  onHead: (hash: string | null) => void = () => undefined,
): AsyncGenerator<ReadEntry> {
  const keys = await store.listKeys(cluster);
  let last: string | undefined;
  for await (const entry of readRecords(store, keys)) {
    if ("record" in entry) last = entry.record.hash;
    yield entry;
  }
  let head;
  try {
    head = await store.readHead(cluster);
  } catch (error) {
    yield { key: `${cluster}/(head)`, error: error instanceof Error ? error : new Error(String(error)) };
    return;
  }
  onHead(head?.record.hash ?? null);
  // The head is normally the last record listed; a head record stored elsewhere is tampering, which verify names.
  if (head && head.record.hash !== last && !keys.includes(recordKey(head.record)))
    yield { key: recordKey(head.record), record: head.record };
}

export interface StoredChain {
  cluster: string;
  records: AuditRecord[];
  keys: string[];
  /** Hash of the head pointer's record (null: no head). */
  headHash: string | null;
}

/** The whole chain in memory (the audit log's own lookups and tests); throws on the first unreadable record. */
export async function readChain(store: AuditStore, cluster: string): Promise<StoredChain> {
  const chain: StoredChain = { cluster, records: [], keys: [], headHash: null };
  for await (const entry of clusterRecords(store, cluster, (h) => (chain.headHash = h))) {
    if ("error" in entry) throw entry.error;
    chain.records.push(entry.record);
    chain.keys.push(entry.key);
  }
  return chain;
}

export interface VerifiedCluster {
  verdict: ChainVerdict;
  /** The head pointer's record when the chain verified. */
  head?: { seq: number; hash: string };
}

/**
 * Verifies a cluster's chain as it is read; `onRecord` sees each record (the report keeps its
 * window). A record that cannot be read fails the verification naming its key.
 */
export async function verifyStored(
  store: AuditStore,
  cluster: string,
  options: { expectHead?: string; onRecord?: (record: AuditRecord) => void } = {},
): Promise<VerifiedCluster> {
  const verifier = new ChainVerifier(cluster);
  let headHash: string | null = null;
  let last: AuditRecord | undefined;
  let unreadable: string | undefined;
  try {
    for await (const entry of clusterRecords(store, cluster, (h) => (headHash = h))) {
      // The first unreadable record fails the chain; the rest is still read for `onRecord`.
      if ("error" in entry) unreadable ??= describeError(entry.error);
      else if (unreadable === undefined) {
        verifier.add(entry.record);
        last = entry.record;
      }
      if ("record" in entry) options.onRecord?.(entry.record);
    }
  } catch (error) {
    unreadable ??= describeError(error);
  }
  if (unreadable !== undefined) {
    return {
      verdict: {
        ok: false,
        records: verifier.count,
        problem: { kind: "unreadable", index: -1, id: "", seq: -1, hash: "", message: unreadable },
      },
    };
  }
  const verdict = verifier.finish({ headHash, expectHead: options.expectHead });
  return { verdict, head: verdict.ok && last ? { seq: last.seq, hash: last.hash } : undefined };
}

/**
 * Records of several clusters merged in time order (then cluster, then seq); an unreadable record
 * or head is passed to `skip` and left out.
 */
export async function* mergedRecords(
  store: AuditStore,
  clusters: readonly string[],
  skip: (key: string, error: Error) => void,
): AsyncGenerator<AuditRecord> {
  const streams = clusters.map((c) => clusterRecords(store, c));
  const pull = async (i: number): Promise<AuditRecord | undefined> => {
    for (;;) {
      const next = await streams[i]!.next();
      if (next.done) return undefined;
      if ("error" in next.value) skip(next.value.key, next.value.error);
      else return next.value.record;
    }
  };
  const current = await Promise.all(streams.map((_, i) => pull(i)));
  for (;;) {
    let best = -1;
    current.forEach((r, i) => {
      const b = best < 0 ? undefined : current[best];
      if (
        r &&
        (!b ||
          r.time < b.time ||
          (r.time === b.time && (r.cluster < b.cluster || (r.cluster === b.cluster && r.seq < b.seq))))
      )
        best = i;
    });
    if (best < 0) return;
    yield current[best]!;
    current[best] = await pull(best);
  }
}
