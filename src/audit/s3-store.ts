/**
 * The S3 audit store.
 *
 *   <prefix>/<cluster>/YYYY/MM/DD/<time>-<kind>-<commit7>-<hash8>.json   records (Object Lock retention when configured)
 *   <prefix>/<cluster>/HEAD.json                                        the latest record: the chain head
 *
 * The head is advanced with a conditional PUT (`If-None-Match: *` for the first record,
 * `If-Match: <etag>` after), so two writers cannot fork the chain; a lost race (412, or 409
 * ConditionalRequestConflict) re-reads the head and re-seals, a bounded number of times. The
 * record is stored under its key after the head: a writer that crashes in between leaves the
 * record in the head, and the next append stores it under its key.
 *
 * Some S3-compatible stores ignore `If-None-Match`/`If-Match` (two writers then fork the chain
 * silently) or do not apply Object Lock: before its first write the store probes both (a
 * conditional PUT that must fail, the bucket's Object Lock configuration) and, as configured,
 * refuses to write or warns loudly and runs as the only writer.
 */
import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { parseRecord } from "../core/audit/parse.js";
import { PROBE_KEY, probeS3Store } from "./s3-probe.js";
import type { StoreProbe } from "./s3-probe.js";
import type { AuditRecord } from "../core/audit/record.js";
import { jsonErrorText } from "../core/audit/render-text.js";
import { assertClusterName, isClusterName, recordKey } from "../core/audit/seal.js";
import {
  AuditHeadConflictError,
  AuditHeadMissingError,
  AuditHeadRewoundError,
} from "../core/ports/audit-store.js";
import type { AuditHead, AuditStore } from "../core/ports/audit-store.js";

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without leading/trailing slash ("" for the bucket root). */
  prefix?: string;
  /** Object Lock retention for record objects (the bucket must have Object Lock enabled). */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
  /** SSE-KMS for every object; `keyId` absent = the bucket's/account's default KMS key. */
  kms?: { keyId?: string };
  /** Attempts at advancing the head before giving up (default 8). */
  maxAttempts?: number;
  /** Wait between lost races (default: 25 ms × attempt, jittered). Injected by tests. */
  backoff?: (attempt: number) => Promise<void>;
  now?: () => Date;
  /**
   * What to do when the start-up probe finds conditional writes ignored or the configured Object
   * Lock not applied: `refuse` (default) every write, or `warn` loudly and run as the only writer
   * (appends of this process are serialized; another writer would still fork the chain).
   */
  onUnsafe?: "refuse" | "warn";
  /** Skip the probe: only for tests that fake the endpoint request by request. */
  skipProbe?: boolean;
  /** Where `warn` goes (default: a process warning on stderr). */
  warn?: (message: string) => void;
}

/** Largest record the store will read (hostile or corrupt objects must not exhaust memory). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const RECORD_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9._-]+\.json$/;

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return status(error) === 404 || name === "NoSuchKey" || name === "NotFound";
}

export type { StoreProbe } from "./s3-probe.js";

export class S3AuditStore implements AuditStore {
  readonly location: string;
  private readonly prefix: string;
  private readonly materialized = new Map<string, string>();
  private safe: Promise<void> | undefined;
  /** Appends of this process, one at a time (the only writer when conditional writes are ignored). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: S3Client,
    private readonly options: S3StoreOptions,
  ) {
    this.prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.location = `s3://${options.bucket}${this.prefix ? `/${this.prefix}` : ""}`;
  }

  private full(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async listClusters(): Promise<string[]> {
    const clusters: string[] = [];
    let token: string | undefined;
    const base = this.prefix ? `${this.prefix}/` : "";
    do {
      const out = await this.send(`listing clusters in ${this.location}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: base,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        ),
      );
      for (const p of out.CommonPrefixes ?? []) {
        const name = p.Prefix?.slice(base.length).replace(/\/$/, "");
        // Like the local store: a prefix that is not a cluster name holds no chain (and would fail listKeys).
        if (name && isClusterName(name)) clusters.push(name);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return clusters.sort();
  }

  async listKeys(cluster: string): Promise<string[]> {
    assertClusterName(cluster);
    const keys: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const out = await this.send(`listing audit records of ${cluster} in ${this.location}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: this.full(`${cluster}/`),
            ContinuationToken: token,
          }),
        ),
      );
      for (const o of out.Contents ?? []) {
        const key = o.Key?.slice(strip);
        if (key && RECORD_KEY.test(key)) keys.push(key);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async readRecord(key: string): Promise<unknown> {
    if (!RECORD_KEY.test(key))
      throw new Error(`reading audit record: not a record key: ${JSON.stringify(key.slice(0, 200))}`);
    const doing = `reading audit record ${key} from ${this.location}`;
    const got = await this.getJson(this.full(key), doing);
    if (!got) throw new Error(`${doing}: not found`);
    return got.value;
  }

  async readHead(cluster: string): Promise<AuditHead | null> {
    assertClusterName(cluster);
    const got = await this.getJson(
      this.full(`${cluster}/HEAD.json`),
      `reading the chain head of ${cluster} from ${this.location}`,
    );
    if (!got) return null;
    if (!got.etag) throw new Error(`reading the chain head of ${cluster}: the store returned no ETag`);
    return { record: parseRecord(got.value, `chain head of ${cluster}`), version: got.etag };
  }

  async append(cluster: string, build: (head: AuditRecord | null) => AuditRecord): Promise<AuditRecord> {
    assertClusterName(cluster);
    await this.ensureSafe();
    const run = this.queue.then(() => this.appendNow(cluster, build));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Probes the endpoint: a conditional PUT that must fail, and the bucket's Object Lock when
   * retention is configured. Writes (and overwrites) one small probe object, never a record.
   */
  probe(): Promise<StoreProbe> {
    return probeS3Store({
      location: this.location,
      bucket: this.options.bucket,
      key: this.full(PROBE_KEY),
      objectLock: this.options.objectLock,
      send: (input) =>
        this.client.send(
          new PutObjectCommand({ ...this.putInput(PROBE_KEY, input.body, false), ...input.condition }),
        ),
      readObjectLock: () =>
        this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.options.bucket })),
    });
  }

  /** Probes once before the first write; refuses or warns as configured. A failed probe is retried next time. */
  private ensureSafe(): Promise<void> {
    if (this.options.skipProbe) return Promise.resolve();
    this.safe ??= this.probe().then(
      (found) => {
        if (found.problems.length === 0) return;
        if ((this.options.onUnsafe ?? "refuse") === "refuse") {
          throw new Error(
            `the audit store is not safe to write: ${found.problems.join("; ")}; refusing to write audit records (fix the store, or set COUNTERSIGN_AUDIT_STORE_CHECK=warn to run this process as the only writer)`,
          );
        }
        const warn =
          this.options.warn ?? ((m: string) => process.emitWarning(m, "CountersignAuditStoreWarning"));
        for (const problem of found.problems)
          warn(
            `UNSAFE AUDIT STORE: ${problem}; running as the only writer because COUNTERSIGN_AUDIT_STORE_CHECK=warn`,
          );
      },
      (error: unknown) => {
        this.safe = undefined;
        throw error;
      },
    );
    return this.safe;
  }

  private async appendNow(
    cluster: string,
    build: (head: AuditRecord | null) => AuditRecord,
  ): Promise<AuditRecord> {
    const max = this.options.maxAttempts ?? 8;
    /** Records whose head write came back 412/409: a retried PUT whose first try landed (lost reply) does that. */
    const attempted: AuditRecord[] = [];
    for (let attempt = 1; attempt <= max; attempt++) {
      const head = await this.readHead(cluster);
      if (head && this.materialized.get(cluster) !== head.record.hash) await this.ensureStored(head.record);
      if (!head && (await this.hasRecords(cluster))) {
        // Another writer may have created the first record meanwhile: a lost race, not a lost head.
        if (await this.readHead(cluster)) continue;
        throw new AuditHeadMissingError(cluster, this.location);
      }
      const landed = head ? await this.ownLandedWrite(head.record, attempted) : undefined;
      if (landed) return landed; // our write won after all: sealing again would write the record twice
      if (head) {
        const past = await this.keyAfter(cluster, recordKey(head.record));
        if (past !== undefined) {
          // A writer that advanced the head just now stored its record after it: re-read first.
          if ((await this.readHead(cluster))?.version !== head.version) continue;
          throw new AuditHeadRewoundError(cluster, this.location, head.record.seq, past);
        }
      }
      const record = build(head?.record ?? null);
      if (
        record.seq !== (head ? head.record.seq + 1 : 0) ||
        record.prev !== (head?.record.hash ?? null) ||
        record.cluster !== cluster
      ) {
        throw new Error(
          `appending to the audit chain of ${cluster}: the record is not sealed on the current head`,
        );
      }
      const body = JSON.stringify(record, null, 2);
      const condition = head ? { IfMatch: head.version } : { IfNoneMatch: "*" };
      try {
        await this.client.send(
          new PutObjectCommand({ ...this.putInput(`${cluster}/HEAD.json`, body, false), ...condition }),
        );
      } catch (error) {
        const code = status(error);
        if (code === 412 || code === 409) {
          attempted.push(record);
          await (this.options.backoff ?? defaultBackoff)(attempt);
          continue; // lost the race: re-read the head and re-seal
        }
        throw new Error(`advancing the audit chain head of ${cluster} in ${this.location}`, { cause: error });
      }
      await this.putRecord(record, body);
      return record;
    }
    throw new AuditHeadConflictError(cluster, max);
  }

  /** Whether any record is stored for `cluster` (only asked when it has no head). */
  private async hasRecords(cluster: string): Promise<boolean> {
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out = await this.send(`listing audit records of ${cluster} in ${this.location}`, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.full(`${cluster}/`),
          MaxKeys: 100,
        }),
      ),
    );
    return (out.Contents ?? []).some((o) => RECORD_KEY.test(o.Key?.slice(strip) ?? ""));
  }

  /** The first record key stored after `key` (a record past the head), or undefined. */
  private async keyAfter(cluster: string, key: string): Promise<string | undefined> {
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out = await this.send(`listing audit records past the head of ${cluster} in ${this.location}`, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.full(`${cluster}/`),
          StartAfter: this.full(key),
          MaxKeys: 100,
        }),
      ),
    );
    return (out.Contents ?? []).map((o) => o.Key?.slice(strip) ?? "").find((k) => RECORD_KEY.test(k));
  }

  /**
   * One of `attempted` when its head write did land: it is the head (stored under its key just
   * before this is called), or a later writer built on it (and so stored it under its key).
   */
  private async ownLandedWrite(
    head: AuditRecord,
    attempted: AuditRecord[],
  ): Promise<AuditRecord | undefined> {
    const mine = attempted.find((a) => a.hash === head.hash);
    if (mine) return mine;
    for (const a of attempted) {
      if (a.seq >= head.seq) continue; // the head holds that position (and it is not ours)
      try {
        await this.client.send(
          new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.full(recordKey(a)) }),
        );
        return a;
      } catch (error) {
        if (!isNotFound(error))
          throw new Error(`checking audit record ${a.id} in ${this.location}`, { cause: error });
      }
    }
    return undefined;
  }

  private async ensureStored(record: AuditRecord): Promise<void> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.full(recordKey(record)) }),
      );
      this.materialized.set(record.cluster, record.hash);
    } catch (error) {
      if (!isNotFound(error))
        throw new Error(`checking audit record ${record.id} in ${this.location}`, { cause: error });
      await this.putRecord(record, JSON.stringify(record, null, 2));
    }
  }

  private async putRecord(record: AuditRecord, body: string): Promise<void> {
    const key = recordKey(record);
    await this.send(`storing audit record ${key} in ${this.location}`, () =>
      this.client.send(new PutObjectCommand(this.putInput(key, body, true))),
    );
    this.materialized.set(record.cluster, record.hash);
  }

  private putInput(key: string, body: string, locked: boolean): PutObjectCommandInput {
    const input: PutObjectCommandInput = {
      Bucket: this.options.bucket,
      Key: this.full(key),
      Body: body,
      ContentType: "application/json",
      // S3 requires an integrity header on PUTs with Object Lock parameters; it also guards every record.
      ContentMD5: createHash("md5").update(body, "utf8").digest("base64"),
    };
    if (this.options.kms) {
      input.ServerSideEncryption = "aws:kms";
      if (this.options.kms.keyId) input.SSEKMSKeyId = this.options.kms.keyId;
    }
    if (locked && this.options.objectLock) {
      const now = (this.options.now ?? (() => new Date()))();
      input.ObjectLockMode = this.options.objectLock.mode;
      input.ObjectLockRetainUntilDate = new Date(now.getTime() + this.options.objectLock.days * 86_400_000);
    }
    return input;
  }

  private async getJson(key: string, doing: string): Promise<{ value: unknown; etag?: string } | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if ((out.ContentLength ?? 0) > MAX_RECORD_BYTES)
        throw new Error(`${doing}: object larger than ${MAX_RECORD_BYTES} bytes`);
      // Counted while reading: a missing or wrong Content-Length must not let a huge object in.
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of (out.Body ?? []) as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > MAX_RECORD_BYTES) {
          (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
          throw new Error(`${doing}: object larger than ${MAX_RECORD_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        return { value: JSON.parse(text) as unknown, etag: out.ETag };
      } catch (error) {
        // Not kept as the cause: the parser quotes the (hostile) object content, escape sequences and all.
        throw new Error(`${doing}: not valid JSON (${jsonErrorText(error)})`);
      }
    } catch (error) {
      if (isNotFound(error)) return null;
      if (error instanceof Error && error.message.startsWith(doing)) throw error;
      throw new Error(doing, { cause: error });
    }
  }

  private async send<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new Error(doing, { cause: error });
    }
  }
}

async function defaultBackoff(attempt: number): Promise<void> {
  const ms = 25 * attempt * (0.5 + Math.random());
  await new Promise((resolve) => setTimeout(resolve, ms));
}
