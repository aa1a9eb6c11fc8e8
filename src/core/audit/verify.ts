/**
 * Verifies one cluster's chain: every hash, the links (no gap, fork, insertion or reordering),
 * completeness (every intent has exactly one result) and coverage (everything applied is covered
 * by the approval evidence recorded with it). Says what is wrong at the first bad record.
 *
 * The genuine chain is the one that leads to the head pointer: it is walked back from the head,
 * so a forged record that links validly into the chain is named (not the genuine record after
 * it), and a rewritten stretch is named where it stops matching what the head's chain recorded.
 * Records are fed one at a time in storage order (`ChainVerifier`); only a small summary of each
 * is kept, so a long chain is verified without holding it in memory.
 */
import { AUDIT_RECORD_SCHEMA } from "../constants.js";
import { CompletenessCheck, short } from "./completeness.js";
import type { AuditRecord } from "./record.js";
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
  | "head"
  | "truncated";

export interface ChainProblem {
  kind: ChainProblemKind;
  /** Index of the bad record in storage order (-1: no record to name). */
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
  /** Hash of the head pointer's record (null: the store has no head pointer). */
  headHash?: string | null;
  /** A head hash printed earlier (`audit verify --expect-head`): the chain must still hold it. */
  expectHead?: string;
}

/** Verifies `records`, given in storage order (time order), of one cluster. */
export function verifyChain(records: Iterable<AuditRecord>, options: VerifyOptions = {}): ChainVerdict {
  const verifier = new ChainVerifier(options.cluster);
  for (const r of records) verifier.add(r);
  return verifier.finish(options);
}

/** A problem and how it ranks against others at the same record (per-record, then links, then completeness). */
interface Ranked {
  rank: number;
  problem: ChainProblem;
}

const RANK_RECORD = 0;
const RANK_LINK = 1;
const RANK_COMPLETENESS = 2;

export class ChainVerifier {
  private cluster: string | undefined;
  private readonly hashes: string[] = [];
  private readonly prevs: Array<string | null> = [];
  private readonly seqs: number[] = [];
  private readonly ids: string[] = [];
  private readonly times: number[] = [];
  /** The first problem found record by record (its own content, or completeness in storage order). */
  private first: Ranked | undefined;
  private readonly completeness = new CompletenessCheck();

  constructor(cluster?: string) {
    this.cluster = cluster;
  }

  get count(): number {
    return this.hashes.length;
  }

  /** The next record in storage order. */
  add(r: AuditRecord): void {
    const i = this.hashes.length;
    this.cluster ??= r.cluster;
    this.hashes.push(r.hash);
    this.prevs.push(r.prev);
    this.seqs.push(r.seq);
    this.ids.push(r.id);
    this.times.push(Date.parse(r.time));
    if (this.first) return;
    const at = (rank: number, kind: ChainProblemKind, message: string): void => {
      this.first = { rank, problem: { kind, index: i, id: r.id, seq: r.seq, hash: r.hash, message } };
    };
    if (r.schema !== AUDIT_RECORD_SCHEMA)
      return at(RANK_RECORD, "schema", `unknown record schema ${r.schema}`);
    if (r.cluster !== this.cluster)
      return at(RANK_RECORD, "foreign", `record of cluster ${r.cluster} in the chain of ${this.cluster}`);
    if (recordHash(r) !== r.hash)
      return at(RANK_RECORD, "edited", "content does not match its hash (the record was edited)");
    const problem = this.completeness.add(r, i);
    if (problem) at(RANK_COMPLETENESS, problem.kind, problem.message);
  }

  finish(options: Pick<VerifyOptions, "headHash" | "expectHead"> = {}): ChainVerdict {
    const n = this.hashes.length;
    const fail = (problem: ChainProblem): ChainVerdict => ({ ok: false, records: n, problem });
    const byHash = new Map<string, number>();
    this.hashes.forEach((h, i) => {
      if (!byHash.has(h)) byHash.set(h, i);
    });
    const headIndex = typeof options.headHash === "string" ? byHash.get(options.headHash) : undefined;
    const walk = n > 0 ? this.walkFromHead(headIndex ?? n - 1, byHash) : undefined;
    const candidates = [this.first, walk?.problem].filter((c): c is Ranked => c !== undefined);
    candidates.sort((a, b) => a.problem.index - b.problem.index || a.rank - b.rank);
    if (candidates[0]) return fail(candidates[0].problem);

    const last = n - 1;
    const atRecord = (index: number, kind: ChainProblemKind, message: string): ChainProblem =>
      index < 0
        ? { kind, index: -1, id: "", seq: -1, hash: "", message }
        : { kind, index, id: this.ids[index]!, seq: this.seqs[index]!, hash: this.hashes[index]!, message };
    if (options.headHash === null && n > 0)
      return fail(atRecord(last, "head", "the chain has records but no head pointer (the head was deleted)"));
    if (typeof options.headHash === "string" && headIndex === undefined) {
      return fail(
        atRecord(
          last,
          "head",
          `the head pointer names ${short(options.headHash)}, which is not in the log (the latest records were deleted)`,
        ),
      );
    }
    if (options.expectHead !== undefined) {
      const pinned = byHash.get(options.expectHead.toLowerCase());
      if (pinned === undefined || !walk?.onPath[pinned]) {
        return fail(
          atRecord(
            headIndex ?? last,
            "truncated",
            `the expected head ${options.expectHead.slice(0, 64)} is not in this chain: records were removed (the log was truncated) or rewritten since that head was printed`,
          ),
        );
      }
    }
    const open = this.completeness.firstOpen();
    if (open) return fail({ kind: "result-missing", ...open, message: "intent has no result record" });
    return { ok: true, records: n };
  }

  /**
   * Walks back from the head along `prev`. When it reaches the first record, every stored record
   * off that path was inserted (or forked); when a link is missing, the stored chain is followed
   * forward from its first record to name where it stops matching the head's chain.
   */
  private walkFromHead(start: number, byHash: Map<string, number>): { onPath: Uint8Array; problem?: Ranked } {
    const n = this.hashes.length;
    const onPath = new Uint8Array(n);
    const path: number[] = [];
    let pos = start;
    let complete = false;
    for (;;) {
      if (onPath[pos]) break; // a cycle (only with forged hash fields, which the per-record check names)
      onPath[pos] = 1;
      path.push(pos);
      const prev = this.prevs[pos]!;
      if (prev === null) {
        complete = true;
        break;
      }
      const next = byHash.get(prev);
      if (next === undefined) break;
      pos = next;
    }
    path.reverse();
    const found: Ranked[] = [];
    const at = (index: number, kind: ChainProblemKind, message: string): void => {
      found.push({
        rank: RANK_LINK,
        problem: {
          kind,
          index,
          id: this.ids[index]!,
          seq: this.seqs[index]!,
          hash: this.hashes[index]!,
          message,
        },
      });
    };
    let trusted = onPath;
    if (complete) {
      const chainPos = new Int32Array(n).fill(-1);
      path.forEach((index, k) => (chainPos[index] = k));
      const k = path.findIndex((index, k) => this.seqs[index] !== k);
      if (k >= 0) {
        const seq = this.seqs[path[k]!]!;
        at(path[k]!, seq > k ? "deleted" : "inserted", `sequence number ${seq} where ${k} was expected`);
      }
      const stray = onPath.indexOf(0);
      if (stray >= 0) this.classifyStray(stray, path, chainPos, byHash, at);
      this.checkOrder(
        path.slice().sort((a, b) => a - b),
        (i) => chainPos[i]!,
        at,
      );
    } else {
      // The head's chain breaks at path[0]: its predecessor is not stored.
      const r = path[0]!;
      const prefix = this.linkedPrefix();
      trusted = Uint8Array.from(onPath);
      for (let i = 0; i < prefix; i++) trusted[i] = 1;
      const j = this.seqs.slice(0, prefix).findIndex((seq, i) => seq === this.seqs[r]! - 1 && !onPath[i]);
      if (j >= 0) {
        at(
          j,
          "edited",
          prefix - 1 > j || r !== j + 1
            ? `the head pointer's chain has a different record at seq ${this.seqs[j]} (record seq ${this.seqs[r]} follows ${short(this.prevs[r])}): the stored log was rewritten from this record or an earlier one`
            : `its hash no longer matches what record seq ${this.seqs[r]} recorded as prev (the record was rewritten)`,
        );
      } else {
        at(r, "deleted", `the record before it (${short(this.prevs[r])}) is missing (a record was deleted)`);
      }
      const stray = trusted.indexOf(0);
      if (stray >= 0)
        at(stray, "inserted", "not on the chain that leads to the head pointer (the record was inserted)");
      const ordered: number[] = [];
      trusted.forEach((t, i) => t && ordered.push(i));
      const position = new Map(ordered.map((index, k) => [index, k]));
      this.checkOrder(ordered, (i) => position.get(i)!, at);
    }
    found.sort((a, b) => a.problem.index - b.problem.index);
    return { onPath, problem: found[0] };
  }

  /** How many records, from the first stored, link one to the next (0 when the first is not a genesis). */
  private linkedPrefix(): number {
    let expected: string | null = null;
    let i = 0;
    while (i < this.hashes.length && this.prevs[i] === expected) expected = this.hashes[i++]!;
    return i;
  }

  /** An off-chain record: what it claims to follow says whether it was inserted or forked the chain. */
  private classifyStray(
    i: number,
    path: number[],
    chainPos: Int32Array,
    byHash: Map<string, number>,
    at: (index: number, kind: ChainProblemKind, message: string) => void,
  ): void {
    const prev = this.prevs[i]!;
    const p = prev === null ? undefined : byHash.get(prev);
    if (prev !== null && p === undefined) {
      at(
        i,
        "inserted",
        `not part of the chain: it follows ${short(prev)}, which is not in the log (the record was inserted)`,
      );
      return;
    }
    if (p !== undefined && chainPos[p]! < 0) {
      at(
        i,
        "inserted",
        `not on the chain that leads to the head pointer: it follows ${short(prev)}, itself off that chain (the record was inserted)`,
      );
      return;
    }
    const genuine = path[(p === undefined ? -1 : chainPos[p]!) + 1];
    if (genuine === undefined) {
      at(
        i,
        "inserted",
        `stored after the head pointer's record (seq ${this.seqs[path[path.length - 1]!]}): the record was inserted, or the head pointer was rewound`,
      );
      return;
    }
    const who = `record ${this.ids[genuine]} (seq ${this.seqs[genuine]}, ${short(this.hashes[genuine])})`;
    at(
      i,
      i < genuine ? "inserted" : "forked",
      i < genuine
        ? `not on the chain that leads to the head pointer: it claims to follow ${short(prev)}, but the chain continues with ${who} (the record was inserted)`
        : `not on the chain that leads to the head pointer: ${who} also follows ${short(prev)} and is the one the chain holds (a second writer forked the chain, or the record was inserted)`,
    );
  }

  /** Chain records, in storage order, must be in chain order with strictly increasing times and unique ids. */
  private checkOrder(
    ordered: number[],
    position: (index: number) => number,
    at: (index: number, kind: ChainProblemKind, message: string) => void,
  ): void {
    let expected = 0;
    let lastTime = -Infinity;
    const ids = new Set<string>();
    for (const i of ordered) {
      if (position(i) !== expected) {
        at(
          i,
          "reordered",
          `follows ${short(this.prevs[i])}, which is not the record stored before it (records were reordered)`,
        );
        return;
      }
      expected++;
      const time = this.times[i]!;
      if (!(time > lastTime)) {
        at(i, "reordered", "its time is not after the previous record's");
        return;
      }
      lastTime = time;
      if (ids.has(this.ids[i]!)) {
        at(i, "duplicate-id", `record id ${this.ids[i]} was written twice`);
        return;
      }
      ids.add(this.ids[i]!);
    }
  }
}
