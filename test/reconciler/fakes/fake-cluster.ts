/**
 * In-memory fakes of the cluster ports (ClusterApplier, InventoryStore, LeaderLease). Apply keeps
 * the applied object whole (no merge with other managers' fields: the fake API server of
 * test/support models that); "unchanged" means the live object equals the applied one.
 */
import { canonicalJson } from "../../../src/core/canonical.js";
import type { KubeObject } from "../../../src/core/model.js";
import { objectKey, splitApiVersion } from "../../../src/core/object-key.js";
import { ClusterApiError } from "../../../src/core/ports/cluster.js";
import type {
  ApplyOptions,
  ApplyOutcome,
  ClusterApplier,
  Inventory,
  InventoryStore,
  LeaderLease,
  ObjectRef,
} from "../../../src/core/ports/cluster.js";

function keyOf(object: KubeObject): string {
  const { group } = splitApiVersion(String(object["apiVersion"]));
  const metadata = (object["metadata"] ?? {}) as Record<string, unknown>;
  return objectKey({
    group,
    kind: String(object["kind"]),
    namespace: typeof metadata["namespace"] === "string" ? metadata["namespace"] : "",
    name: String(metadata["name"]),
  });
}

export class FakeCluster implements ClusterApplier, InventoryStore, LeaderLease {
  readonly live = new Map<string, KubeObject>();
  inventory: Inventory | undefined;
  /** Real (not dry-run) writes: applies, deletes and inventory writes. */
  writes = 0;
  /** Every call, reads included. */
  calls = 0;
  down = false;
  held = true;
  /** Keys the API server rejects (422 Invalid), on dry run and for real. */
  readonly reject = new Map<string, string>();
  /** Keys rejected only when applied for real (the dry run passes). */
  readonly rejectReal = new Map<string, string>();
  /** Called before each real apply (to lose the lease or crash mid-apply). */
  beforeWrite: ((key: string) => void) | undefined;

  private check(operation: string): void {
    this.calls++;
    if (this.down)
      throw new ClusterApiError(operation, 0, "", "connect ECONNREFUSED 10.0.0.1:443 (API server down)");
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<ApplyOutcome> {
    this.check("apply");
    const key = keyOf(object);
    const rejection = this.reject.get(key) ?? (options.dryRun ? undefined : this.rejectReal.get(key));
    if (rejection !== undefined) throw new ClusterApiError("apply", 422, "Invalid", rejection);
    const existing = this.live.get(key);
    const result =
      existing === undefined
        ? "created"
        : canonicalJson(existing) === canonicalJson(object)
          ? "unchanged"
          : "configured";
    if (!options.dryRun) {
      this.beforeWrite?.(key);
      this.writes++;
      this.live.set(key, structuredClone(object));
    }
    return { result, live: structuredClone(object) };
  }

  async delete(ref: ObjectRef, options: { dryRun: boolean }): Promise<"deleted" | "absent"> {
    this.check("delete");
    const { group } = splitApiVersion(ref.apiVersion);
    const key = objectKey({ group, kind: ref.kind, namespace: ref.namespace, name: ref.name });
    if (!this.live.has(key)) return "absent";
    if (!options.dryRun) {
      this.beforeWrite?.(key);
      this.writes++;
      this.live.delete(key);
    }
    return "deleted";
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    this.check("get");
    const { group } = splitApiVersion(ref.apiVersion);
    const live = this.live.get(
      objectKey({ group, kind: ref.kind, namespace: ref.namespace, name: ref.name }),
    );
    return live === undefined ? undefined : structuredClone(live);
  }

  async scopeOf(): Promise<"Namespaced" | "Cluster" | undefined> {
    this.check("scopeOf");
    return "Namespaced";
  }

  async waitForCrdEstablished(): Promise<void> {
    this.check("waitForCrdEstablished");
  }

  async read(): Promise<Inventory | undefined> {
    this.check("inventory.read");
    return this.inventory === undefined ? undefined : structuredClone(this.inventory);
  }

  async write(inventory: Inventory): Promise<void> {
    this.check("inventory.write");
    this.writes++;
    this.inventory = structuredClone(inventory);
  }

  async tryAcquireOrRenew(): Promise<boolean> {
    return this.held;
  }

  isHeld(): boolean {
    return this.held;
  }

  async release(): Promise<void> {
    this.held = false;
  }
}
