/**
 * The inventory's storage format: JSON, gzip-compressed, cut into shards small enough for
 * ConfigMaps (1 MiB of data each), and a manifest naming the shard set and its digests, so a
 * reader can tell a whole inventory from a torn or tampered one.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Inventory, InventoryEntry } from "../core/ports/cluster.js";

export const INVENTORY_FORMAT = 1;
/** Compressed bytes per shard: under the 1 MiB ConfigMap limit with room for metadata. */
export const DEFAULT_SHARD_BYTES = 700 * 1024;
/** More shards than this is a corrupt manifest, not an inventory (10,000 objects take 1 or 2). */
export const MAX_SHARDS = 256;
/** Decompressed size limit: a hostile shard set cannot exhaust memory. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

export interface InventoryManifest {
  format: number;
  cluster: string;
  /** Which of the two shard-name sets holds this version (0: even suffixes, 1: odd). */
  slot: 0 | 1;
  shards: { name: string; sha256: string; bytes: number }[];
  /** sha256 and length of the whole compressed stream. */
  sha256: string;
  bytes: number;
}

/** The inventory cannot be trusted: torn write, tampering or a format this version does not read. */
export class InventoryCorruptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InventoryCorruptError";
  }
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Shard `i` of `slot`: the two slots interleave so a write never touches the set being replaced. */
export function shardName(prefix: string, slot: 0 | 1, index: number): string {
  return `${prefix}-${2 * index + slot}`;
}

export function encodeInventory(
  inventory: Inventory,
  prefix: string,
  slot: 0 | 1,
  shardBytes = DEFAULT_SHARD_BYTES,
): { manifest: InventoryManifest; shards: { name: string; data: Buffer }[] } {
  const compressed = gzipSync(Buffer.from(JSON.stringify({ format: INVENTORY_FORMAT, ...inventory })), {
    level: 9,
  });
  const shards: { name: string; data: Buffer }[] = [];
  for (let offset = 0, i = 0; offset < compressed.length || i === 0; offset += shardBytes, i++) {
    shards.push({ name: shardName(prefix, slot, i), data: compressed.subarray(offset, offset + shardBytes) });
  }
  if (shards.length > MAX_SHARDS) {
    throw new Error(`encoding the inventory: ${shards.length} shards exceed the limit of ${MAX_SHARDS}`);
  }
  return {
    manifest: {
      format: INVENTORY_FORMAT,
      cluster: inventory.cluster,
      slot,
      shards: shards.map((s) => ({ name: s.name, sha256: sha256(s.data), bytes: s.data.length })),
      sha256: sha256(compressed),
      bytes: compressed.length,
    },
    shards,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and checks a manifest read from the cluster; throws InventoryCorruptError. */
export function parseManifest(text: unknown, prefix: string, cluster: string): InventoryManifest {
  let m: unknown;
  try {
    m = JSON.parse(String(text));
  } catch (error) {
    throw new InventoryCorruptError(`reading the inventory manifest ${prefix}: not JSON`, { cause: error });
  }
  const fail = (why: string) => new InventoryCorruptError(`reading the inventory manifest ${prefix}: ${why}`);
  if (m === null || typeof m !== "object") throw fail("not an object");
  const r = m as Record<string, unknown>;
  if (r["format"] !== INVENTORY_FORMAT) throw fail(`unknown format ${JSON.stringify(r["format"])}`);
  if (r["cluster"] !== cluster)
    throw fail(`it belongs to cluster ${JSON.stringify(r["cluster"])}, not ${cluster}`);
  if (r["slot"] !== 0 && r["slot"] !== 1) throw fail("invalid slot");
  if (typeof r["sha256"] !== "string" || !HEX64.test(r["sha256"])) throw fail("invalid digest");
  if (typeof r["bytes"] !== "number" || !Number.isSafeInteger(r["bytes"]) || r["bytes"] < 0)
    throw fail("invalid size");
  const shards = r["shards"];
  if (!Array.isArray(shards) || shards.length === 0 || shards.length > MAX_SHARDS)
    throw fail("invalid shard list");
  const slot = r["slot"];
  shards.forEach((s: unknown, i) => {
    const e = (s ?? {}) as Record<string, unknown>;
    if (e["name"] !== shardName(prefix, slot, i)) throw fail(`shard ${i} has an unexpected name`);
    if (typeof e["sha256"] !== "string" || !HEX64.test(e["sha256"]))
      throw fail(`shard ${i} has an invalid digest`);
    if (typeof e["bytes"] !== "number" || !Number.isSafeInteger(e["bytes"]) || e["bytes"] < 0) {
      throw fail(`shard ${i} has an invalid size`);
    }
  });
  return m as InventoryManifest;
}

/** Reassembles the inventory from shard bytes, checking every digest; throws InventoryCorruptError. */
export function decodeInventory(
  manifest: InventoryManifest,
  shardData: Buffer[],
  cluster: string,
): Inventory {
  const where = `reading the inventory of cluster ${cluster}`;
  manifest.shards.forEach((s, i) => {
    const data = shardData[i];
    if (!data || data.length !== s.bytes || sha256(data) !== s.sha256) {
      throw new InventoryCorruptError(
        `${where}: shard ${s.name} does not match the manifest (torn write or tampering)`,
      );
    }
  });
  const compressed = Buffer.concat(shardData);
  if (compressed.length !== manifest.bytes || sha256(compressed) !== manifest.sha256) {
    throw new InventoryCorruptError(`${where}: the shards do not add up to the manifest's digest`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(compressed, { maxOutputLength: MAX_JSON_BYTES }).toString("utf8"));
  } catch (error) {
    throw new InventoryCorruptError(`${where}: cannot decompress or parse it`, { cause: error });
  }
  return checkInventory(parsed, cluster, where);
}

function checkInventory(value: unknown, cluster: string, where: string): Inventory {
  const fail = (why: string) => new InventoryCorruptError(`${where}: ${why}`);
  if (value === null || typeof value !== "object") throw fail("not an object");
  const v = value as Record<string, unknown>;
  if (v["format"] !== INVENTORY_FORMAT) throw fail("unknown format");
  if (v["cluster"] !== cluster) throw fail(`it belongs to cluster ${JSON.stringify(v["cluster"])}`);
  if (typeof v["lastAppliedCommit"] !== "string") throw fail("no lastAppliedCommit");
  if (typeof v["updatedAt"] !== "string") throw fail("no updatedAt");
  const objects = v["objects"];
  if (objects === null || typeof objects !== "object" || Array.isArray(objects)) throw fail("no objects map");
  const out: Record<string, InventoryEntry> = Object.create(null) as Record<string, InventoryEntry>;
  for (const [key, entry] of Object.entries(objects as Record<string, unknown>)) {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e["apiVersion"] !== "string" || typeof e["digest"] !== "string") {
      throw fail(`entry ${JSON.stringify(key.slice(0, 200))} is malformed`);
    }
    out[key] = { apiVersion: e["apiVersion"], digest: e["digest"] };
  }
  return { cluster, lastAppliedCommit: v["lastAppliedCommit"], objects: out, updatedAt: v["updatedAt"] };
}
