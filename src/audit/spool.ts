/**
 * The local spool of the audit log: records that could not be stored yet, and the intents that
 * are open (written or being written, no result yet). Survives restarts; holds masked content
 * only (bodies are built, and masked, before they are spooled).
 *
 *   <dir>/pending/<sha256(id)>.json   { cluster, createdAt, body }   a record body waiting to be stored
 *   <dir>/open/<sha256(id)>.json      { cluster, createdAt, body }   an intent without a result yet
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { assertWellFormed } from "../core/audit/parse.js";
import type { AuditRecordBody } from "../core/audit/record.js";

/** A temporary file older than this was left by a crash mid-write. */
const STALE_TEMP_MS = 10 * 60_000;

export interface SpoolEntry {
  cluster: string;
  /** When the body was built (ISO 8601): the stored record's time is not earlier than this. */
  createdAt: string;
  body: AuditRecordBody;
  /** Open intents only: the intent write failed (the caller did not apply), though it may have been stored. */
  unconfirmed?: boolean;
}

type Area = "pending" | "open";

function fileName(id: string): string {
  return `${createHash("sha256").update(id, "utf8").digest("hex").slice(0, 40)}.json`;
}

export class Spool {
  /** Entry files that could not be read, moved aside (`<name>.corrupt`) since the last `takeCorrupt()`. */
  private corrupt: string[] = [];

  constructor(
    readonly dir: string,
    private readonly durable = true,
  ) {}

  /** Spools a record body to be stored later (replaces an entry with the same id). */
  async putPending(entry: SpoolEntry): Promise<void> {
    await this.write("pending", entry);
  }

  async pending(): Promise<SpoolEntry[]> {
    return this.list("pending");
  }

  async removePending(id: string): Promise<void> {
    await this.remove("pending", id);
  }

  /** Journals an intent before it is written, so a crash before its result is noticed on restart. */
  async putOpen(entry: SpoolEntry): Promise<void> {
    await this.write("open", entry);
  }

  async open(): Promise<SpoolEntry[]> {
    return this.list("open");
  }

  async removeOpen(id: string): Promise<void> {
    await this.remove("open", id);
  }

  /** Whether a record body with `id` is waiting in `pending/`. */
  async hasPending(id: string): Promise<boolean> {
    try {
      await stat(join(this.dir, "pending", fileName(id)));
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw new Error(`reading the audit spool entry of ${id}`, { cause: error });
    }
  }

  /** Paths of corrupt entries moved aside since the last call (to be reported). */
  takeCorrupt(): string[] {
    const out = this.corrupt;
    this.corrupt = [];
    return out;
  }

  private async write(area: Area, entry: SpoolEntry): Promise<void> {
    const dir = join(this.dir, area);
    const doing = `spooling audit record ${entry.body.id} to ${dir}`;
    try {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.tmp-${randomBytes(8).toString("hex")}`);
      const handle = await open(tmp, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(entry), "utf8");
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, join(dir, fileName(entry.body.id)));
      if (this.durable) {
        const d = await open(dir, "r");
        await d.sync().finally(() => d.close());
      }
    } catch (error) {
      throw new Error(doing, { cause: error });
    }
  }

  private async list(area: Area): Promise<SpoolEntry[]> {
    const dir = join(this.dir, area);
    let names: string[];
    try {
      const all = await readdir(dir);
      names = all.filter((n) => n.endsWith(".json"));
      await this.removeStaleTemps(dir, all);
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw new Error(`reading the audit spool ${dir}`, { cause: error });
    }
    const entries: SpoolEntry[] = [];
    for (const name of names) {
      const path = join(dir, name);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        throw new Error(`reading audit spool entry ${path}`, { cause: error });
      }
      const entry = validEntry(text);
      if (entry) {
        entries.push(entry);
        continue;
      }
      // One unreadable file must not block the spool (and every later intent) forever: move it
      // aside for an operator; an intent it held shows as result-missing in `audit verify`.
      try {
        await rename(path, `${path}.corrupt`);
      } catch (error) {
        throw new Error(`moving aside the corrupt audit spool entry ${path}`, { cause: error });
      }
      this.corrupt.push(`${path}.corrupt`);
    }
    return entries.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.body.id.localeCompare(b.body.id),
    );
  }

  /**
   * Removes `.tmp-*` files a crash left behind mid-write (never renamed, so never an entry). A
   * fresh one may belong to a write in progress: only those older than STALE_TEMP_MS go.
   */
  private async removeStaleTemps(dir: string, names: string[]): Promise<void> {
    const now = Date.now();
    for (const name of names) {
      if (!name.startsWith(".tmp-")) continue;
      const path = join(dir, name);
      try {
        if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await unlink(path);
      } catch (error) {
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      }
    }
  }

  private async remove(area: Area, id: string): Promise<void> {
    try {
      await unlink(join(this.dir, area, fileName(id)));
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") {
        throw new Error(`removing audit spool entry ${id}`, { cause: error });
      }
    }
  }
}

/** The entry in `text`, or undefined when it is not a complete, sealable spool entry of one cluster. */
function validEntry(text: string): SpoolEntry | undefined {
  try {
    const entry = JSON.parse(text) as SpoolEntry;
    if (
      typeof entry?.cluster !== "string" ||
      typeof entry.createdAt !== "string" ||
      Number.isNaN(Date.parse(entry.createdAt)) ||
      (entry.unconfirmed !== undefined && typeof entry.unconfirmed !== "boolean") ||
      entry.body?.cluster !== entry.cluster
    ) {
      return undefined;
    }
    // The body must seal into a valid record, or every resend of it would fail.
    assertWellFormed(entry.body);
    return entry;
  } catch {
    return undefined;
  }
}
