/**
 * The reconciler's audit log. No audit, no apply: `appendIntent` throws unless the intent is
 * durably stored. Every other record (result, refusal, baseline, drift) is stored or, when the
 * store is down, spooled to local disk and retried until stored; `flushSpool()` (call it on start)
 * resends the spool and closes intents a crash left open. Record ids make every write
 * idempotent: a resend first looks for its id in the chain, so nothing is written twice.
 */
import { randomUUID } from "node:crypto";
import { buildRecordBody, resultId } from "../core/audit/build.js";
import type { ObjectInput, RecordContext } from "../core/audit/build.js";
import { assertWellFormed, parseRecord } from "../core/audit/parse.js";
import type {
  AuditApproval,
  AuditRecord,
  AuditRecordBody,
  AuditRecordKind,
  PullRequestAuthor,
} from "../core/audit/record.js";
import { compactTime, sealRecord } from "../core/audit/seal.js";
import type { Masker } from "../core/mask/types.js";
import type { AuditStore } from "../core/ports/audit-store.js";
import { systemClock } from "../core/ports/clock.js";
import type { Clock } from "../core/ports/clock.js";
import { Spool } from "./spool.js";
import type { SpoolEntry } from "./spool.js";

export interface AuditLogOptions {
  store: AuditStore;
  cluster: string;
  /** The reconciler's identity, recorded in every record. */
  actor: string;
  masker: Masker;
  /** Spool directory (or a Spool). */
  spool: string | Spool;
  clock?: Clock;
  /** Delays between background retries of the spool (the last one repeats). Default 1 s, 5 s, 15 s, 60 s. */
  retryDelaysMs?: number[];
  /** Record ids (default: random UUIDs). */
  newId?: () => string;
  /** Told about background retry failures and corrupt spool entries moved aside (never holds secrets: errors name records by id). */
  onRetryError?: (error: Error) => void;
}

export interface IntentInput {
  repository: string;
  commit: string;
  pullRequests: number[];
  /** The approval evidence the reconciler verified. */
  approvals: AuditApproval[];
  /** What is about to be applied: key, op, approved content digest and the (unmasked) object. */
  objects: ObjectInput[];
  message?: string;
  /** Authors of the pull requests applied (recorded for segregation of duties: author ≠ approver). */
  authors?: PullRequestAuthor[];
}

/** What `appendResult` needs to close an intent. Plain data: it can be kept across calls. */
export interface IntentHandle {
  readonly id: string;
  readonly cluster: string;
  readonly repository: string;
  readonly commit: string;
  readonly pullRequests: readonly number[];
  readonly hash: string;
  readonly seq: number;
  readonly time: string;
}

export interface ResultOutcome {
  status: "succeeded" | "failed";
  /** Per-object outcomes (created, configured, unchanged, deleted, skipped, failed). */
  objects: ObjectInput[];
  message?: string;
  /** When the apply attempt started. */
  startedAt?: string;
}

export interface RefusalInput {
  repository: string;
  commit: string;
  pullRequests?: number[];
  approvals?: AuditApproval[];
  /** The uncovered objects (outcome defaults to `refused`). */
  objects: ObjectInput[];
  message: string;
}

export interface BaselineInput {
  repository: string;
  commit: string;
  previousCommit?: string;
  objects?: ObjectInput[];
  message?: string;
}

export interface DriftInput {
  repository: string;
  commit: string;
  /** Objects found drifted and re-applied with the content of the inventory. */
  objects: ObjectInput[];
  message?: string;
}

export interface FlushReport {
  /** Spooled records stored now. */
  stored: number;
  /** Spooled records found already stored (not written again). */
  alreadyStored: number;
  /** Open intents closed with an `interrupted` result (or `failed`, when the intent write was never confirmed). */
  interrupted: number;
}

/** Slack for clock steps when looking a record up by time. */
const LOOKUP_SLACK_MS = 10 * 60_000;

export class AuditLog {
  private readonly store: AuditStore;
  private readonly spool: Spool;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private flushing: Promise<FlushReport> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryIndex = 0;
  private closed = false;
  /** Intents of this process still being applied: the spool flush must not close them. */
  private readonly inFlight = new Set<string>();
  /** Intents of this process whose result is written or being written: a second result is refused. */
  private readonly resulted = new Set<string>();

  constructor(private readonly options: AuditLogOptions) {
    this.store = options.store;
    this.spool = typeof options.spool === "string" ? new Spool(options.spool) : options.spool;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomUUID;
  }

  /** Writes the intent record; throws (the caller must not apply) unless it is durably stored. */
  async appendIntent(input: IntentInput): Promise<IntentHandle> {
    const { cluster } = this.options;
    try {
      await this.flushSpool();
    } catch (error) {
      throw new Error(
        `writing the audit intent for ${input.commit.slice(0, 12)} on ${cluster}: the spooled records could not be stored first; not applying`,
        { cause: error },
      );
    }
    const body = buildRecordBody("intent", this.context(this.newId(), input), this.options.masker);
    try {
      assertWellFormed(body);
    } catch (error) {
      throw new Error(`writing the audit intent ${body.id} on ${cluster}: not a valid record; not applying`, {
        cause: error,
      });
    }
    const entry: SpoolEntry = { cluster, createdAt: this.clock.now().toISOString(), body };
    this.inFlight.add(body.id);
    try {
      await this.spool.putOpen(entry); // journaled first: a crash after the write is noticed on restart
    } catch (error) {
      this.inFlight.delete(body.id);
      throw new Error(
        `writing the audit intent ${body.id} on ${cluster}: journaling it locally failed; not applying`,
        { cause: error },
      );
    }
    let record: AuditRecord;
    try {
      record = await this.store.append(cluster, (head) => sealRecord(body, head, this.clock.now()));
    } catch (error) {
      this.inFlight.delete(body.id);
      // The write may still have landed (a lost reply): the next flush then closes it as not applied.
      await this.spool.putOpen({ ...entry, unconfirmed: true }).catch(() => undefined);
      throw new Error(
        `writing the audit intent ${body.id} for ${input.commit.slice(0, 12)} on ${cluster} to ${this.store.location}; not applying`,
        { cause: error },
      );
    }
    return {
      id: record.id,
      cluster,
      repository: record.repository,
      commit: record.commit,
      pullRequests: [...record.pullRequests],
      hash: record.hash,
      seq: record.seq,
      time: record.time,
    };
  }

  /** Writes the result of an intent; spools it when the store is down (retried until stored). */
  async appendResult(handle: IntentHandle, outcome: ResultOutcome): Promise<void> {
    if (this.resulted.has(handle.id))
      throw new Error(`writing the audit result of intent ${handle.id}: it already has a result`);
    const context: RecordContext = {
      id: resultId(handle.id),
      cluster: this.options.cluster,
      actor: this.options.actor,
      repository: handle.repository,
      commit: handle.commit,
      pullRequests: [...handle.pullRequests],
      objects: outcome.objects,
      message: outcome.message,
      startedAt: outcome.startedAt,
    };
    const body = buildRecordBody("result", context, this.options.masker, {
      intent: handle.id,
      status: outcome.status,
    });
    this.resulted.add(handle.id);
    try {
      await this.storeOrSpool(body, handle.time);
    } catch (error) {
      // Neither stored nor spooled: the caller may try again.
      this.resulted.delete(handle.id);
      throw error;
    }
    await this.spool.removeOpen(handle.id);
    this.inFlight.delete(handle.id);
  }

  async appendRefusal(input: RefusalInput): Promise<void> {
    const objects = input.objects.map((o) => ({ ...o, outcome: o.outcome ?? ("refused" as const) }));
    await this.storeOrSpool(this.body("refusal", { ...input, objects }));
  }

  async appendBaseline(input: BaselineInput): Promise<void> {
    const extra = input.previousCommit !== undefined ? { previousCommit: input.previousCommit } : {};
    await this.storeOrSpool(this.body("baseline", input, extra));
  }

  async appendDrift(input: DriftInput): Promise<void> {
    await this.storeOrSpool(this.body("drift", input));
  }

  /** Stores everything spooled, then closes intents left open by a crash. Single-flight. */
  flushSpool(): Promise<FlushReport> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops background retries (the spool stays on disk for the next start). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private context(
    id: string,
    input: {
      repository: string;
      commit: string;
      pullRequests?: number[];
      approvals?: AuditApproval[];
      objects?: ObjectInput[];
      message?: string;
      authors?: PullRequestAuthor[];
    },
  ): RecordContext {
    return { ...input, id, cluster: this.options.cluster, actor: this.options.actor };
  }

  private body(
    kind: AuditRecordKind,
    input: Parameters<AuditLog["context"]>[1],
    extra: { previousCommit?: string } = {},
  ): AuditRecordBody {
    return buildRecordBody(kind, this.context(this.newId(), input), this.options.masker, extra);
  }

  private async storeOrSpool(body: AuditRecordBody, notBefore?: string): Promise<void> {
    // A malformed body would be retried forever and make the chain unreadable: refuse it now.
    assertWellFormed(body);
    const entry: SpoolEntry = {
      cluster: this.options.cluster,
      createdAt: notBefore ?? this.clock.now().toISOString(),
      body,
    };
    try {
      await this.store.append(entry.cluster, (head) => sealRecord(body, head, this.clock.now()));
    } catch (error) {
      // The write may or may not have happened: the resend looks the id up before writing.
      await this.spool.putPending(entry);
      this.scheduleRetry();
      this.options.onRetryError?.(
        new Error(`storing audit record ${body.id}; spooled for retry`, { cause: error }),
      );
    }
  }

  private async flushOnce(): Promise<FlushReport> {
    const report: FlushReport = { stored: 0, alreadyStored: 0, interrupted: 0 };
    const pending = await this.spool.pending();
    this.reportCorrupt();
    for (const entry of pending) {
      if (await this.isStored(entry.cluster, entry.body.id, entry.createdAt)) {
        report.alreadyStored++;
      } else {
        await this.store.append(entry.cluster, (head) => sealRecord(entry.body, head, this.clock.now()));
        report.stored++;
      }
      await this.spool.removePending(entry.body.id);
      if (entry.body.kind === "result" && entry.body.intent) await this.spool.removeOpen(entry.body.intent);
    }
    const open = await this.spool.open();
    this.reportCorrupt();
    for (const entry of open) {
      const intent = entry.body;
      if (this.inFlight.has(intent.id)) continue;
      // Its result was spooled while this flush ran (the apply finished): that result closes it.
      if (await this.spool.hasPending(resultId(intent.id))) continue;
      if (await this.isStored(entry.cluster, intent.id, entry.createdAt)) {
        if (!(await this.isStored(entry.cluster, resultId(intent.id), entry.createdAt))) {
          const body: AuditRecordBody = {
            ...buildRecordBody(
              "result",
              {
                id: resultId(intent.id),
                cluster: entry.cluster,
                actor: this.options.actor,
                repository: intent.repository,
                commit: intent.commit,
                pullRequests: intent.pullRequests,
                message: entry.unconfirmed
                  ? "the store did not confirm the intent write, so nothing was applied"
                  : "the reconciler stopped between intent and result: the apply may be partial; the next reconcile compares the cluster with the approved content again",
              },
              this.options.masker,
              { intent: intent.id, status: entry.unconfirmed ? "failed" : "interrupted" },
            ),
          };
          await this.store.append(entry.cluster, (head) => sealRecord(body, head, this.clock.now()));
          report.interrupted++;
        }
      }
      // An intent that never reached the store was never applied (appendIntent threw): nothing to close.
      await this.spool.removeOpen(intent.id);
    }
    this.retryIndex = 0;
    return report;
  }

  private reportCorrupt(): void {
    for (const path of this.spool.takeCorrupt()) {
      this.options.onRetryError?.(new Error(`audit spool entry ${path} was unreadable: moved aside`));
    }
  }

  /** Whether a record with `id` is in the chain, looking only at records stored since `since`. */
  private async isStored(cluster: string, id: string, since: string): Promise<boolean> {
    const head = await this.store.readHead(cluster);
    if (!head) return false;
    if (head.record.id === id) return true;
    if (Date.parse(head.record.time) < Date.parse(since) - LOOKUP_SLACK_MS) return false;
    const from = compactTime(new Date(Date.parse(since) - LOOKUP_SLACK_MS).toISOString());
    const keys = (await this.store.listKeys(cluster)).filter((k) => (k.split("/").pop() ?? "") >= from);
    for (const key of keys.reverse()) {
      if (parseRecord(await this.store.readRecord(key), key).id === id) return true;
    }
    return false;
  }

  private scheduleRetry(): void {
    if (this.closed || this.timer) return;
    const delays = this.options.retryDelaysMs ?? [1_000, 5_000, 15_000, 60_000];
    const delay = delays[Math.min(this.retryIndex, delays.length - 1)] ?? 60_000;
    this.retryIndex++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushSpool().catch((error: unknown) => {
        this.options.onRetryError?.(new Error("resending the audit spool", { cause: error }));
        this.scheduleRetry();
      });
    }, delay);
    this.timer.unref?.();
  }
}
