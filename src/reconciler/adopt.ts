/**
 * Bootstrap: an operator records an existing commit as the approved baseline (for repositories
 * that predate countersign, or after a history rewrite). Nothing is applied: the inventory is set
 * to the commit's objects and the audit log gets a baseline record naming the operator and the
 * reason, stored (not only spooled) before the inventory changes.
 */
import type { Inventory } from "../core/ports/cluster.js";
import type { ReconcilerDeps } from "./reconciler.js";
import { readDesired } from "./desired.js";

export interface AdoptRequest {
  sha: string;
  reason: string;
  /** Who ran it (the `--operator` flag, else the OS user): recorded in the baseline record. */
  operator: string;
}

export interface AdoptReport {
  sha: string;
  previousCommit?: string;
  objects: number;
  /** Objects in the old inventory the new baseline no longer holds: left in the cluster, no longer managed. */
  released: string[];
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Adopts `request.sha` as the baseline. Throws (nothing changed) when the commit, its manifests or the audit store are not usable. */
export async function adoptBaseline(
  deps: Pick<ReconcilerDeps, "settings" | "reader" | "inventory" | "audit" | "clock">,
  request: AdoptRequest,
): Promise<AdoptReport> {
  const { settings } = deps;
  if (!SHA.test(request.sha))
    throw new Error(`adopting ${JSON.stringify(request.sha)}: give a full commit SHA`);
  if (request.reason.trim() === "") throw new Error("adopting a baseline needs a reason");
  const desired = await readDesired(
    deps.reader,
    settings.repo,
    request.sha,
    settings.paths,
    undefined,
    settings.secretDigestKey,
  );
  if (desired.set.errors.length > 0) {
    const first = desired.set.errors[0];
    throw new Error(
      `adopting ${request.sha.slice(0, 12)}: its manifests are invalid (${desired.set.errors.length} problem(s); first: ${first?.file}: ${first?.message})`,
    );
  }
  const previous = await deps.inventory.read();
  const objects: Inventory["objects"] = {};
  for (const [key, o] of desired.set.objects) objects[key] = { apiVersion: o.apiVersion, digest: o.digest };
  const released = Object.keys(previous?.objects ?? {})
    .filter((k) => objects[k] === undefined)
    .sort();
  // The store must be reachable before the record is written: a baseline spooled now and stored
  // later would record an adoption that did not take effect.
  await deps.audit.flushSpool();
  await deps.audit.appendBaseline({
    repository: `${settings.repo.owner}/${settings.repo.repo}`,
    commit: request.sha,
    ...(previous === undefined ? {} : { previousCommit: previous.lastAppliedCommit }),
    objects: [...desired.set.objects.values()].map((o) => ({
      key: o.key,
      op: "create" as const,
      digest: o.digest,
    })),
    message: `baseline adopted by operator ${request.operator}: ${request.reason}`,
  });
  // A baseline only spooled is not an audit trail yet: it must be in the store before it takes effect.
  await deps.audit.flushSpool();
  await deps.inventory.write({
    cluster: settings.cluster,
    lastAppliedCommit: request.sha,
    objects,
    updatedAt: deps.clock.now().toISOString(),
  });
  const report: AdoptReport = { sha: request.sha, objects: Object.keys(objects).length, released };
  if (previous !== undefined) report.previousCommit = previous.lastAppliedCommit;
  return report;
}
