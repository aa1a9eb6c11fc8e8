/**
 * The embedded audit store: a directory.
 *
 *   <root>/<cluster>/YYYY/MM/DD/<time>-<kind>-<commit7>-<hash8>.json   records (what auditors list)
 *   <root>/<cluster>/chain/<seq:12>.json                               one claim per chain position
 *   <root>/<cluster>/HEAD                                              hint: the latest claimed seq
 *
 * The head advances by claiming the next position with an exclusive create (link(2) of a fully
 * written temp file: EEXIST when another writer got there first), so two local writers cannot
 * fork the chain and a crash never leaves a half-written claim. Every other write is tmp + rename.
 */
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { link, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseRecord } from "../core/audit/parse.js";
import type { AuditRecord } from "../core/audit/record.js";
import { jsonErrorText } from "../core/audit/render-text.js";
import { assertClusterName, isClusterName, recordKey } from "../core/audit/seal.js";
import {
  AuditHeadConflictError,
  AuditHeadMissingError,
  AuditHeadRewoundError,
} from "../core/ports/audit-store.js";
import type { AuditHead, AuditStore } from "../core/ports/audit-store.js";
import { isErrorCode as isCode, readBoundedFile, readBoundedFileSync } from "./read-file.js";

export interface LocalStoreOptions {
  /** fsync files and directories (default true). Off only for benchmarks' bulk setup. */
  durable?: boolean;
  /** Attempts at advancing the head before giving up (default 8). */
  maxAttempts?: number;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9._-]+\.json$/;
const SEQ_WIDTH = 12;
/** Largest record file read (a corrupt or hostile file must not exhaust memory). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** A temporary file older than this was left by a crash mid-write (a fresh one may be a write in progress). */
const STALE_TEMP_MS = 10 * 60_000;

export class LocalAuditStore implements AuditStore {
  readonly location: string;
  private readonly root: string;
  private readonly durable: boolean;
  private readonly maxAttempts: number;
  /** Clusters whose crash leftovers (`.tmp-*`) this process has swept. */
  private readonly swept = new Set<string>();

  constructor(root: string, options: LocalStoreOptions = {}) {
    this.root = resolve(root);
    this.location = `file://${this.root}`;
    this.durable = options.durable ?? true;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  async listClusters(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && isClusterName(e.name))
        .map((e) => e.name)
        .sort();
    } catch (error) {
      if (isCode(error, "ENOENT")) return [];
      throw new Error(`listing clusters in ${this.location}`, { cause: error });
    }
  }

  async listKeys(cluster: string): Promise<string[]> {
    assertClusterName(cluster);
    const keys: string[] = [];
    const dirs = async (path: string, pattern: RegExp): Promise<string[]> => {
      try {
        const entries = await readdir(join(this.root, path), { withFileTypes: true });
        return entries
          .filter((e) => e.isDirectory() && pattern.test(e.name))
          .map((e) => e.name)
          .sort();
      } catch (error) {
        if (isCode(error, "ENOENT")) return [];
        throw new Error(`listing ${path} in ${this.location}`, { cause: error });
      }
    };
    for (const year of await dirs(cluster, /^\d{4}$/)) {
      for (const month of await dirs(`${cluster}/${year}`, /^\d{2}$/)) {
        for (const day of await dirs(`${cluster}/${year}/${month}`, /^\d{2}$/)) {
          const dir = `${cluster}/${year}/${month}/${day}`;
          const files = await readdir(join(this.root, dir));
          for (const f of files.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort())
            keys.push(`${dir}/${f}`);
        }
      }
    }
    return keys;
  }

  async readRecord(key: string): Promise<unknown> {
    if (!KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
      throw new Error(`reading audit record: not a record key: ${JSON.stringify(key.slice(0, 200))}`);
    }
    return this.readJson(join(this.root, key), `reading audit record ${key} from ${this.location}`);
  }

  async readHead(cluster: string): Promise<AuditHead | null> {
    assertClusterName(cluster);
    const chain = join(this.root, cluster, "chain");
    let seq = await this.readHint(cluster);
    if (seq < 0 || !(await exists(this.claimPath(chain, seq)))) seq = await this.highestClaim(chain);
    if (seq < 0) return null;
    while (await exists(this.claimPath(chain, seq + 1))) seq++;
    const record = parseRecord(
      await this.readJson(this.claimPath(chain, seq), `reading the chain head of ${cluster}`),
      `chain head of ${cluster}`,
    );
    return { record, version: String(seq) };
  }

  async append(cluster: string, build: (head: AuditRecord | null) => AuditRecord): Promise<AuditRecord> {
    assertClusterName(cluster);
    const chain = join(this.root, cluster, "chain");
    await mkdir(chain, { recursive: true });
    if (!this.swept.has(cluster)) {
      await this.sweepTemps(cluster);
      this.swept.add(cluster);
    }
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const head = await this.readHead(cluster);
      if (head) await this.materialize(head.record);
      const past = await this.latestKey(cluster);
      if (past !== undefined && (!head || past > recordKey(head.record))) {
        // Another writer may have claimed the next position meanwhile (or, with no head, written
        // the first record): only a head that did not move while records lie past it is refused.
        const again = await this.readHead(cluster);
        if (again?.record.hash !== head?.record.hash) continue;
        if (!head) throw new AuditHeadMissingError(cluster, this.location);
        throw new AuditHeadRewoundError(cluster, this.location, head.record.seq, past);
      }
      const record = build(head?.record ?? null);
      const seq = head ? head.record.seq + 1 : 0;
      if (record.seq !== seq || record.prev !== (head?.record.hash ?? null) || record.cluster !== cluster) {
        throw new Error(
          `appending to the audit chain of ${cluster}: the record is not sealed on the current head`,
        );
      }
      const tmp = join(chain, `.tmp-${randomBytes(8).toString("hex")}`);
      await this.writeFile(tmp, JSON.stringify(record));
      try {
        await link(tmp, this.claimPath(chain, seq));
      } catch (error) {
        if (isCode(error, "EEXIST")) {
          // Another writer claimed this position: back off, re-read the head and re-seal.
          await new Promise((done) => setTimeout(done, 5 * attempt * (0.5 + Math.random())));
          continue;
        }
        throw new Error(`claiming position ${seq} of the audit chain of ${cluster}`, { cause: error });
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      await this.syncDir(chain);
      await this.materialize(record);
      // Only a hint (readHead probes past it), so it needs no fsync.
      await this.writeAtomic(join(this.root, cluster, "HEAD"), `${seq}\n`, false);
      return record;
    }
    throw new AuditHeadConflictError(cluster, this.maxAttempts);
  }

  private claimPath(chain: string, seq: number): string {
    return join(chain, `${String(seq).padStart(SEQ_WIDTH, "0")}.json`);
  }

  /** The latest record key of a cluster (from the latest day folder only), or undefined. */
  private async latestKey(cluster: string): Promise<string | undefined> {
    const names = async (path: string, pattern: RegExp, dirs: boolean): Promise<string[]> => {
      try {
        const entries = await readdir(join(this.root, path), { withFileTypes: true });
        return entries
          .filter((e) => (dirs ? e.isDirectory() : !e.name.startsWith(".")) && pattern.test(e.name))
          .map((e) => e.name)
          .sort()
          .reverse();
      } catch (error) {
        if (isCode(error, "ENOENT")) return [];
        throw new Error(`listing ${path} in ${this.location}`, { cause: error });
      }
    };
    for (const year of await names(cluster, /^\d{4}$/, true)) {
      for (const month of await names(`${cluster}/${year}`, /^\d{2}$/, true)) {
        for (const day of await names(`${cluster}/${year}/${month}`, /^\d{2}$/, true)) {
          const dir = `${cluster}/${year}/${month}/${day}`;
          const file = (await names(dir, /\.json$/, false))[0];
          if (file) return `${dir}/${file}`;
        }
      }
    }
    return undefined;
  }

  /** Removes the `.tmp-*` files crashed writers left in the cluster, its chain and its day folders. */
  private async sweepTemps(cluster: string): Promise<void> {
    const now = Date.now();
    const sweep = async (dir: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isCode(error, "ENOENT")) return;
        throw new Error(`listing ${dir} for leftover temporary files`, { cause: error });
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory() && depth < 3 && (/^\d{2,4}$/.test(e.name) || (depth === 0 && e.name === "chain")))
          await sweep(path, depth + 1);
        else if (e.isFile() && e.name.startsWith(".tmp-")) {
          try {
            if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await unlink(path);
          } catch (error) {
            if (!isCode(error, "ENOENT")) throw error;
          }
        }
      }
    };
    await sweep(join(this.root, cluster), 0);
  }

  private async readHint(cluster: string): Promise<number> {
    try {
      const n = Number.parseInt(await readBoundedFile(join(this.root, cluster, "HEAD"), 64), 10);
      return Number.isSafeInteger(n) && n >= 0 ? n : -1;
    } catch (error) {
      if (isCode(error, "ENOENT")) return -1;
      throw new Error(`reading the head hint of ${cluster}`, { cause: error });
    }
  }

  private async highestClaim(chain: string): Promise<number> {
    try {
      const names = (await readdir(chain)).filter((n) => /^\d+\.json$/.test(n)).sort();
      const last = names[names.length - 1];
      return last ? Number.parseInt(last, 10) : -1;
    } catch (error) {
      if (isCode(error, "ENOENT")) return -1;
      throw error;
    }
  }

  /** Stores a record under its key unless it is already there (idempotent: same key, same bytes). */
  private async materialize(record: AuditRecord): Promise<void> {
    const path = join(this.root, recordKey(record));
    if (await exists(path)) return;
    const dir = join(path, "..");
    await mkdir(dir, { recursive: true });
    await this.writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  }

  private async writeAtomic(path: string, text: string, sync = true): Promise<void> {
    const tmp = join(path, "..", `.tmp-${randomBytes(8).toString("hex")}`);
    await this.writeFile(tmp, text, sync);
    await rename(tmp, path);
    if (sync) await this.syncDir(join(path, ".."));
  }

  private async writeFile(path: string, text: string, sync = true): Promise<void> {
    const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
    try {
      await handle.writeFile(text, "utf8");
      if (this.durable && sync) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async syncDir(dir: string): Promise<void> {
    if (!this.durable) return;
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async readJson(path: string, doing: string): Promise<unknown> {
    let text: string;
    try {
      text = readBoundedFileSync(path, MAX_RECORD_BYTES);
    } catch (error) {
      throw new Error(doing, { cause: error });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      // Not kept as the cause: the parser quotes the (hostile) file content, escape sequences and all.
      throw new Error(`${doing}: not valid JSON (${jsonErrorText(error)})`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isCode(error, "ENOENT")) return false;
    throw error;
  }
}
