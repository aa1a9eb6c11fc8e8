import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/core/audit/record.js";
import { verifyChain } from "../../src/core/audit/verify.js";
import type { AuditHead, AuditStore } from "../../src/core/ports/audit-store.js";
import { AuditLog } from "../../src/audit/audit-log.js";
import type { IntentInput } from "../../src/audit/audit-log.js";
import { LocalAuditStore } from "../../src/audit/local-store.js";
import { Spool } from "../../src/audit/spool.js";
import { readChain } from "../../src/audit/read-chain.js";
import { createMasker } from "../../src/core/mask/masker.js";
import { buildRecordBody } from "../../src/core/audit/build.js";
import { DIGEST_A, approval, fakeMasker } from "../core/audit/fixtures.js";

/** A real local store with switchable faults: down (nothing written) or lost replies (written, then an error). */
class FaultyStore implements AuditStore {
  down = false;
  loseReplies = false;
  /** Calls that fail (as `down`) before the store comes back by itself. */
  failCalls = 0;
  /** When set, the next readHead waits for it (to hold a flush mid-way). */
  hold: Promise<void> | undefined;
  /** Resolved when a readHead starts waiting on `hold`. */
  holding: Promise<void> = Promise.resolve();
  private held: () => void = () => undefined;
  /** Told after every append that reached the store. */
  onAppended: () => void = () => undefined;
  constructor(private readonly inner: LocalAuditStore) {}
  get location(): string {
    return this.inner.location;
  }
  /** Sets `hold`; `holding` resolves once a readHead waits on it. */
  holdNext(hold: Promise<void>): void {
    this.hold = hold;
    this.holding = new Promise((done) => (this.held = done));
  }
  private check(): void {
    if (this.failCalls > 0) {
      this.failCalls--;
      throw new Error("connect ECONNREFUSED (store down)");
    }
    if (this.down) throw new Error("connect ECONNREFUSED (store down)");
  }
  async listClusters(): Promise<string[]> {
    this.check();
    return this.inner.listClusters();
  }
  async listKeys(cluster: string): Promise<string[]> {
    this.check();
    return this.inner.listKeys(cluster);
  }
  async readRecord(key: string): Promise<unknown> {
    this.check();
    return this.inner.readRecord(key);
  }
  async readHead(cluster: string): Promise<AuditHead | null> {
    const hold = this.hold;
    this.hold = undefined;
    if (hold) {
      this.held();
      await hold;
    }
    this.check();
    return this.inner.readHead(cluster);
  }
  async append(cluster: string, build: (head: AuditRecord | null) => AuditRecord): Promise<AuditRecord> {
    this.check();
    const record = await this.inner.append(cluster, build);
    this.onAppended();
    if (this.loseReplies) throw new Error("socket hang up (reply lost)");
    return record;
  }
}

const intent: IntentInput = {
  repository: "acme/infra",
  commit: "abcdef1234567890",
  pullRequests: [7],
  approvals: [
    approval(7, [{ key: "/Secret/web/db", op: "update", afterDigest: DIGEST_A, level: "critical" }]),
  ],
  objects: [
    {
      key: "/Secret/web/db",
      op: "update",
      digest: DIGEST_A,
      object: {
        apiVersion: "v1",
        kind: "Secret",
        data: { password: "aHVudGVyMg==" },
        metadata: { annotations: { note: "hunter2" } },
      },
    },
  ],
};
const applied = {
  status: "succeeded" as const,
  objects: [
    { key: "/Secret/web/db", op: "update" as const, digest: DIGEST_A, outcome: "configured" as const },
  ],
};

let dir: string;
let store: FaultyStore;
let ids: number;
function newLog(extra: Partial<ConstructorParameters<typeof AuditLog>[0]> = {}): AuditLog {
  return new AuditLog({
    store,
    cluster: "prod",
    actor: "reconciler",
    masker: fakeMasker,
    spool: join(dir, "spool"),
    retryDelaysMs: [60_000],
    newId: () => `id-${++ids}`,
    ...extra,
  });
}
async function chain(): Promise<AuditRecord[]> {
  const c = await readChain(store, "prod");
  const verdict = verifyChain(c.records, { headHash: c.headHash });
  expect(verdict).toEqual({ ok: true, records: c.records.length });
  return c.records;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cs-log-"));
  store = new FaultyStore(new LocalAuditStore(join(dir, "store")));
  ids = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("AuditLog", () => {
  it("writes an intent then its result, masked, on a valid chain", async () => {
    const log = newLog();
    const handle = await log.appendIntent(intent);
    await log.appendResult(handle, applied);
    const records = await chain();
    expect(records.map((r) => [r.kind, r.id, r.intent])).toEqual([
      ["intent", "id-1", undefined],
      ["result", "id-1.result", "id-1"],
    ]);
    const files = await readdir(join(dir, "store", "prod", "chain"));
    const everything = (
      await Promise.all(files.map((f) => readFile(join(dir, "store", "prod", "chain", f), "utf8")))
    ).join("");
    expect(everything).not.toContain("hunter2");
    expect(everything).not.toContain("aHVudGVyMg==");
  });

  it("refuses a second result for one intent, so verify never sees result-twice from this writer", async () => {
    const log = newLog();
    const handle = await log.appendIntent(intent);
    await log.appendResult(handle, applied);
    await expect(log.appendResult(handle, applied)).rejects.toThrow(/already has a result/);
    expect((await chain()).map((r) => r.kind)).toEqual(["intent", "result"]);
  });

  it("throws when the intent cannot be written, and records nothing for it", async () => {
    // No audit, no apply: the caller gets an error, and a later flush does not invent a result.
    const log = newLog();
    store.down = true;
    await expect(log.appendIntent(intent)).rejects.toThrow(/writing the audit intent id-1 .*not applying/);
    store.down = false;
    expect(await log.flushSpool()).toEqual({ stored: 0, alreadyStored: 0, interrupted: 0 });
    expect(await chain()).toEqual([]);
  });

  it("spools the result when the store is down during the apply and resends it after a restart, once", async () => {
    const log = newLog();
    const handle = await log.appendIntent(intent);
    store.down = true;
    await log.appendResult(handle, applied); // does not throw: spooled
    log.close();
    store.down = false;
    const restarted = newLog();
    expect(await restarted.flushSpool()).toEqual({ stored: 1, alreadyStored: 0, interrupted: 0 });
    expect(await restarted.flushSpool()).toEqual({ stored: 0, alreadyStored: 0, interrupted: 0 });
    expect((await chain()).map((r) => r.kind)).toEqual(["intent", "result"]);
  });

  it("does not write a result twice when the store wrote it but the reply was lost", async () => {
    const log = newLog();
    const handle = await log.appendIntent(intent);
    store.loseReplies = true;
    await log.appendResult(handle, applied);
    store.loseReplies = false;
    expect(await log.flushSpool()).toEqual({ stored: 0, alreadyStored: 1, interrupted: 0 });
    expect((await chain()).map((r) => r.kind)).toEqual(["intent", "result"]);
  });

  it("closes an intent left open by a crash with an interrupted result on restart", async () => {
    const crashed = newLog();
    await crashed.appendIntent(intent); // the process dies here, mid-apply
    const restarted = newLog();
    expect(await restarted.flushSpool()).toEqual({ stored: 0, alreadyStored: 0, interrupted: 1 });
    const records = await chain();
    expect(records.map((r) => [r.kind, r.status])).toEqual([
      ["intent", undefined],
      ["result", "interrupted"],
    ]);
  });

  it("does not close an intent still being applied by this process", async () => {
    // A background flush during an apply must not write "interrupted" for the live intent.
    const log = newLog();
    const handle = await log.appendIntent(intent);
    expect(await log.flushSpool()).toEqual({ stored: 0, alreadyStored: 0, interrupted: 0 });
    await log.appendResult(handle, applied);
    expect((await chain()).map((r) => r.status)).toEqual([undefined, "succeeded"]);
  });

  it("records the pull request authors in the intent (segregation of duties)", async () => {
    const log = newLog();
    const handle = await log.appendIntent({ ...intent, authors: [{ pullRequest: 7, login: "bob" }] });
    await log.appendResult(handle, applied);
    const [stored, result] = await chain();
    expect(stored!.authors).toEqual([{ pullRequest: 7, login: "bob" }]);
    expect(result!.authors).toBeUndefined();
  });

  it("retries the spool in the background until stored", async () => {
    // No wall-clock waits: the store fails the first write and the first retry, then comes back;
    // the test waits for the write itself, however long a busy machine takes.
    const errors: string[] = [];
    const log = newLog({ retryDelaysMs: [1], onRetryError: (e) => errors.push(e.message) });
    await log.appendRefusal({
      repository: "acme/infra",
      commit: "0badc0de",
      objects: [{ key: "/ConfigMap/a/b", op: "create", digest: DIGEST_A }],
      message: "no approval for hunter2",
    });
    expect((await chain()).map((r) => r.kind)).toEqual(["refusal"]);
    const stored = new Promise<void>((done) => (store.onAppended = done));
    store.failCalls = 2; // the append, then the first background retry's first call
    await log.appendDrift({ repository: "acme/infra", commit: "0badc0de", objects: [] });
    await stored;
    await log.flushSpool(); // joins the retry in flight (single-flight), so the spool is emptied after it
    log.close();
    expect(errors).toEqual([
      expect.stringMatching(/^storing audit record id-2; spooled for retry$/),
      "resending the audit spool",
    ]);
    expect(await readdir(join(dir, "spool", "pending"))).toEqual([]);
    const records = await chain();
    expect(records.map((r) => r.kind)).toEqual(["refusal", "drift"]);
    expect(records[0]!.message).toBe("no approval for ***");
    expect(records[0]!.objects[0]!.outcome).toBe("refused");
  });

  it("refuses a new intent while the spool cannot be stored", async () => {
    const log = newLog();
    const handle = await log.appendIntent(intent);
    store.down = true;
    await log.appendResult(handle, applied);
    await expect(log.appendIntent(intent)).rejects.toThrow(
      /spooled records could not be stored first; not applying/,
    );
    store.down = false;
    const next = await log.appendIntent(intent); // the spooled result goes first
    await log.appendResult(next, applied);
    log.close();
    expect((await chain()).map((r) => r.id)).toEqual(["id-1", "id-1.result", "id-2", "id-2.result"]);
  });

  it("records a baseline with the previous commit", async () => {
    await newLog().appendBaseline({
      repository: "acme/infra",
      commit: "feedface",
      previousCommit: "deadbeef",
      message: "history rewritten; adopted by ops",
    });
    expect((await chain()).map((r) => [r.kind, r.previousCommit])).toEqual([["baseline", "deadbeef"]]);
  });

  it("keeps secrets out of stored records with the core's masker", async () => {
    // The production Masker, injected as the reconciler will: Secret data and secret-looking text are masked.
    const log = newLog({ masker: createMasker({ fingerprintKey: "test-key" }) });
    const handle = await log.appendIntent(intent);
    await log.appendResult(handle, {
      status: "failed",
      objects: [],
      message: "apply failed: password=aHVudGVyMg== rejected",
    });
    const stored = JSON.stringify(await chain());
    expect(stored).not.toContain("aHVudGVyMg==");
  });

  it("closes an intent whose write was not confirmed as failed, nothing applied", async () => {
    // The store wrote the intent but the reply was lost: the caller did not apply; the log must say so.
    const log = newLog();
    store.loseReplies = true;
    await expect(log.appendIntent(intent)).rejects.toThrow(/not applying/);
    store.loseReplies = false;
    expect(await log.flushSpool()).toEqual({ stored: 0, alreadyStored: 0, interrupted: 1 });
    const records = await chain();
    expect(records.map((r) => [r.kind, r.status, r.message])).toEqual([
      ["intent", undefined, undefined],
      ["result", "failed", "the store did not confirm the intent write, so nothing was applied"],
    ]);
  });

  it("moves a corrupt spool file aside instead of refusing every later intent", async () => {
    // A torn or garbage spool entry must not block the reconciler forever; the operator is told.
    const errors: string[] = [];
    const log = newLog({ onRetryError: (e) => errors.push(e.message) });
    await mkdir(join(dir, "spool", "pending"), { recursive: true });
    await writeFile(join(dir, "spool", "pending", "0000.json"), '{"cluster":"prod","createdAt":"2026-');
    await mkdir(join(dir, "spool", "open"), { recursive: true });
    await writeFile(
      join(dir, "spool", "open", "0001.json"),
      JSON.stringify({ cluster: "prod", createdAt: "2026-01-01T00:00:00Z", body: { id: "x" } }),
    );
    const handle = await log.appendIntent(intent);
    await log.appendResult(handle, applied);
    expect((await chain()).map((r) => r.kind)).toEqual(["intent", "result"]);
    expect((await readdir(join(dir, "spool", "pending"))).sort()).toEqual(["0000.json.corrupt"]);
    expect((await readdir(join(dir, "spool", "open"))).sort()).toEqual(["0001.json.corrupt"]);
    expect(errors).toEqual([
      expect.stringMatching(/pending\/0000\.json\.corrupt was unreadable/),
      expect.stringMatching(/open\/0001\.json\.corrupt was unreadable/),
    ]);
  });

  it("removes temporary files a crash left mid-write, but not a fresh one", async () => {
    // A crash between open and rename leaves .tmp-* behind; nothing else ever removes it.
    await mkdir(join(dir, "spool", "pending"), { recursive: true });
    const stale = join(dir, "spool", "pending", ".tmp-0123456789abcdef");
    const fresh = join(dir, "spool", "pending", ".tmp-fedcba9876543210");
    await writeFile(stale, '{"cluster":"pro');
    await writeFile(fresh, '{"cluster":"pro');
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(stale, hourAgo, hourAgo);
    const log = newLog();
    await log.appendResult(await log.appendIntent(intent), applied);
    expect(await readdir(join(dir, "spool", "pending"))).toEqual([".tmp-fedcba9876543210"]);
  });

  it("does not close as interrupted an intent whose result was spooled while a flush ran", async () => {
    // The flush lists the open intents, the apply finishes meanwhile with its result spooled (store
    // blip): the real result must be stored, not an "interrupted" one that makes it a duplicate.
    const log = newLog();
    const handle = await log.appendIntent(intent);
    // An older open intent (never stored) ahead of ours keeps the flush busy on the store.
    await new Spool(join(dir, "spool")).putOpen({
      cluster: "prod",
      createdAt: "2020-01-01T00:00:00.000Z",
      body: buildRecordBody(
        "intent",
        { id: "old", cluster: "prod", actor: "a", repository: "acme/infra", commit: "00" },
        fakeMasker,
      ),
    });
    let release = (): void => undefined;
    store.holdNext(new Promise((done) => (release = done)));
    const flushing = log.flushSpool(); // lists both open intents, then waits on the store
    await store.holding;
    store.down = true;
    await log.appendResult(handle, applied); // spooled
    store.down = false;
    release();
    await flushing;
    await log.flushSpool(); // resends the spooled result
    log.close();
    expect((await chain()).map((r) => [r.kind, r.status])).toEqual([
      ["intent", undefined],
      ["result", "succeeded"],
    ]);
  });

  it("refuses a malformed record up front instead of storing what no reader accepts", async () => {
    // A check run id that is not an integer would make parseRecord, and so `audit verify`, reject the chain.
    const log = newLog();
    const bad = { ...intent, approvals: [{ ...intent.approvals[0]!, checkRunId: 1.5 }] };
    await expect(log.appendIntent(bad)).rejects.toThrow(/not a valid record; not applying/);
    const handle = await log.appendIntent(intent);
    await expect(
      log.appendResult(handle, {
        ...applied,
        objects: [{ ...applied.objects[0]!, outcome: "exploded" as never }],
      }),
    ).rejects.toThrow(/outcome must be one of/);
    await log.appendResult(handle, applied);
    expect((await chain()).map((r) => r.kind)).toEqual(["intent", "result"]);
  });
});
