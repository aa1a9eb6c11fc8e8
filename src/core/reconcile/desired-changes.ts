/**
 * What a pass would change: the inventory (what this reconciler applied, by digest) against the
 * desired manifests at D. A plan is a value: the same list feeds authorization, the audit intent,
 * the dry run, the apply and the report.
 */
import type { ManifestObject, ManifestSet, Operation } from "../model.js";
import type { Inventory } from "../ports/cluster.js";

/** One object whose applied content differs from D. */
export interface DesiredChange {
  key: string;
  op: Operation;
  apiVersion: string;
  /** Digest of the content in D ("" for a deletion). */
  digest: string;
  /** The object in D (absent for a deletion). */
  object?: ManifestObject;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every object whose digest differs between the inventory and D, sorted by key. */
export function desiredChanges(inventory: Inventory["objects"], desired: ManifestSet): DesiredChange[] {
  const changes: DesiredChange[] = [];
  for (const [key, object] of desired.objects) {
    const applied = inventory[key];
    if (applied !== undefined && applied.digest === object.digest) continue;
    changes.push({
      key,
      op: applied === undefined ? "create" : "update",
      apiVersion: object.apiVersion,
      digest: object.digest,
      object,
    });
  }
  for (const [key, entry] of Object.entries(inventory)) {
    if (!desired.objects.has(key))
      changes.push({ key, op: "delete", apiVersion: entry.apiVersion, digest: "" });
  }
  return changes.sort((a, b) => cmp(a.key, b.key));
}
