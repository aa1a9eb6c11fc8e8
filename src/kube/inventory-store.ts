/**
 * InventoryStore in ConfigMaps of the reconciler's own namespace: a manifest ConfigMap `<name>`
 * and shards `<name>-<n>` holding gzip-compressed JSON (see inventory-codec.ts).
 *
 * A write puts the new shards in the other of two interleaved name sets (even / odd suffixes),
 * so the set the current manifest names is never touched, then replaces the manifest (written
 * last, conditional on the resourceVersion read), then deletes the shards no manifest names. A
 * crash before the manifest leaves the previous inventory whole; shards that do not match the
 * manifest's digests fail the read (never a half inventory). Every write carries a
 * resourceVersion precondition: a concurrent writer gets a 409 Conflict, never a silent overwrite.
 */
import { FIELD_MANAGER } from "../core/constants.js";
import type { Inventory, InventoryStore } from "../core/ports/cluster.js";
import { ClusterApiError } from "../core/ports/cluster.js";
import {
  decodeInventory,
  DEFAULT_SHARD_BYTES,
  encodeInventory,
  InventoryCorruptError,
  parseManifest,
} from "./inventory-codec.js";
import type { InventoryManifest } from "./inventory-codec.js";
import type { KubeTransport } from "./kube-http.js";

export const MANIFEST_KEY = "manifest.json";
export const SHARD_KEY = "inventory.json.gz";
export const INVENTORY_LABEL = "countersign.dev/inventory";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

export interface ConfigMapInventoryStoreOptions {
  namespace: string;
  /** ConfigMap name prefix (`inventory.name`). */
  name: string;
  /** Cluster name: stored in the inventory and checked on read. */
  cluster: string;
  /** Compressed bytes per shard (tests use small shards to exercise sharding). */
  shardBytes?: number;
}

interface ConfigMap {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** What the last read or write saw: the base of the next write's precondition. */
type Seen = { exists: false } | { exists: true; resourceVersion: string; slot: 0 | 1 };

export class ConfigMapInventoryStore implements InventoryStore {
  private seen: Seen | undefined;
  private readonly collection: string;
  private readonly shardPattern: RegExp;

  constructor(
    private readonly transport: KubeTransport,
    private readonly options: ConfigMapInventoryStoreOptions,
  ) {
    this.collection = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/configmaps`;
    this.shardPattern = new RegExp(`^${options.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9]+$`);
  }

  async read(): Promise<Inventory | undefined> {
    const { name, cluster } = this.options;
    const manifestMap = await this.get(name, `reading the inventory manifest ${this.where(name)}`);
    if (!manifestMap) {
      this.seen = { exists: false };
      return undefined;
    }
    const manifest = parseManifest(manifestMap.data?.[MANIFEST_KEY], name, cluster);
    const shards: Buffer[] = [];
    for (const shard of manifest.shards) {
      const map = await this.get(shard.name, `reading inventory shard ${this.where(shard.name)}`);
      const data = map?.binaryData?.[SHARD_KEY];
      if (typeof data !== "string") {
        throw new InventoryCorruptError(
          `reading the inventory of cluster ${cluster}: shard ${shard.name} is missing (torn write or tampering)`,
        );
      }
      shards.push(Buffer.from(data, "base64"));
    }
    const inventory = decodeInventory(manifest, shards, cluster);
    this.seen = {
      exists: true,
      resourceVersion: manifestMap.metadata?.resourceVersion ?? "",
      slot: manifest.slot,
    };
    return inventory;
  }

  async write(inventory: Inventory): Promise<void> {
    const { name, cluster } = this.options;
    if (inventory.cluster !== cluster) {
      throw new Error(
        `writing the inventory: it is for cluster ${inventory.cluster}, this store keeps ${cluster}'s`,
      );
    }
    const seen = this.seen;
    const existing = await this.list();
    const current = existing.get(name);
    // Without a read, or when the manifest moved since, writing would overwrite what we never saw.
    if (
      seen === undefined ||
      (seen.exists ? current?.metadata?.resourceVersion !== seen.resourceVersion : current !== undefined)
    ) {
      throw new ClusterApiError(
        `writing the inventory ${this.where(name)}`,
        409,
        "Conflict",
        `writing the inventory ${this.where(name)}: it changed since it was read (another writer?); read it again`,
      );
    }
    const slot: 0 | 1 = seen.exists ? (seen.slot === 0 ? 1 : 0) : 0;
    const encoded = encodeInventory(inventory, name, slot, this.options.shardBytes ?? DEFAULT_SHARD_BYTES);
    for (const shard of encoded.shards) {
      await this.put(
        shard.name,
        { binaryData: { [SHARD_KEY]: shard.data.toString("base64") } },
        existing.get(shard.name)?.metadata?.resourceVersion,
        `writing inventory shard ${this.where(shard.name)}`,
      );
    }
    const written = await this.put(
      name,
      { data: { [MANIFEST_KEY]: JSON.stringify(encoded.manifest satisfies InventoryManifest) } },
      seen.exists ? seen.resourceVersion : undefined,
      `writing the inventory manifest ${this.where(name)}`,
    );
    this.seen = { exists: true, resourceVersion: written.metadata?.resourceVersion ?? "", slot };
    const keep = new Set(encoded.shards.map((s) => s.name));
    for (const [shardName, map] of existing) {
      if (shardName === name || keep.has(shardName) || !this.shardPattern.test(shardName)) continue;
      await this.deleteStale(shardName, map.metadata?.resourceVersion);
    }
  }

  private where(name: string): string {
    return `${this.options.namespace}/${name}`;
  }

  private async get(name: string, operation: string): Promise<ConfigMap | undefined> {
    try {
      const { body } = await this.transport.request({
        method: "GET",
        path: `${this.collection}/${encodeURIComponent(name)}`,
        idempotent: true,
        operation,
      });
      return body as ConfigMap;
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async list(): Promise<Map<string, ConfigMap>> {
    const { body } = await this.transport.request({
      method: "GET",
      path: this.collection,
      query: { labelSelector: `${INVENTORY_LABEL}=${this.options.cluster}` },
      idempotent: true,
      operation: `listing the inventory ConfigMaps in ${this.options.namespace}`,
    });
    const items = (body as { items?: ConfigMap[] } | undefined)?.items ?? [];
    const out = new Map<string, ConfigMap>();
    for (const item of items) if (item.metadata?.name) out.set(item.metadata.name, item);
    return out;
  }

  /** Creates (no resourceVersion) or replaces (conditional on it) one ConfigMap. */
  private async put(
    name: string,
    content: Pick<ConfigMap, "data" | "binaryData">,
    resourceVersion: string | undefined,
    operation: string,
  ): Promise<ConfigMap> {
    const body = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace: this.options.namespace,
        labels: { [MANAGED_BY_LABEL]: "countersign", [INVENTORY_LABEL]: this.options.cluster },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      ...content,
    };
    const create = resourceVersion === undefined;
    try {
      const res = await this.transport.request({
        method: create ? "POST" : "PUT",
        path: create ? this.collection : `${this.collection}/${encodeURIComponent(name)}`,
        query: { fieldManager: FIELD_MANAGER },
        body,
        operation,
      });
      return res.body as ConfigMap;
    } catch (error) {
      // Someone else created or changed it since we listed: the same conflict as a moved manifest.
      if (error instanceof ClusterApiError && (error.reason === "AlreadyExists" || error.status === 409)) {
        throw new ClusterApiError(
          operation,
          409,
          "Conflict",
          `${operation}: changed concurrently (${error.message})`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /** Best effort: a shard left behind is found and removed by the next write. */
  private async deleteStale(name: string, resourceVersion: string | undefined): Promise<void> {
    try {
      await this.transport.request({
        method: "DELETE",
        path: `${this.collection}/${encodeURIComponent(name)}`,
        body: {
          apiVersion: "v1",
          kind: "DeleteOptions",
          ...(resourceVersion ? { preconditions: { resourceVersion } } : {}),
        },
        idempotent: true,
        operation: `removing stale inventory shard ${this.where(name)}`,
      });
    } catch {
      // Ignored on purpose: the inventory is already whole; the shard is unreferenced.
    }
  }
}
