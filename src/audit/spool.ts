/**
 * The local spool of the audit log: records that could not be stored yet, and the intents that
 * are open (written or being written, no result yet). Survives restarts; holds masked content
 * only (bodies are built, and masked, before they are spooled).
 *
 *   <dir>/pending/<sha256(id)>.json   { cluster, createdAt, body }   a record body waiting to be stored
 *   <dir>/open/<sha256(id)>.json      { cluster, createdAt, body }   an intent without a result yet
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { AuditRecordBody } from "../core/audit/record.js";

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
      names = (await readdir(dir)).filter((n) => n.endsWith(".json"));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw new Error(`reading the audit spool ${dir}`, { cause: error });
    }
    const entries: SpoolEntry[] = [];
    for (const name of names) {
      try {
        const entry = JSON.parse(await readFile(join(dir, name), "utf8")) as SpoolEntry;
        if (
          typeof entry?.cluster !== "string" ||
          typeof entry.body?.id !== "string" ||
          typeof entry.createdAt !== "string"
        ) {
          throw new Error("not a spool entry");
        }
        entries.push(entry);
      } catch (error) {
        throw new Error(`reading audit spool entry ${join(dir, name)}`, { cause: error });
      }
    }
    return entries.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.body.id.localeCompare(b.body.id),
    );
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
