/**
 * Drift, on its slower schedule: the live objects of the inventory against their approved content.
 * Only objects the inventory holds at the content of the last applied commit L are checked (their
 * approved content is read at L, by SHA). A server-side dry-run apply says whether applying that
 * content would change anything; what would is re-applied (approved content needs no new approval)
 * under an audit intent, and a drift record lists what was found and what could not be reverted.
 */
import type { ObjectInput } from "../core/audit/build.js";
import { describeError } from "../core/error-text.js";
import type { DesiredChange } from "../core/reconcile/desired-changes.js";
import { applyChanges, FORCE_CONFLICTS_ANNOTATION } from "./apply.js";
import type { ObjectResult } from "./apply.js";
import { readDesired } from "./desired.js";
import { mapLimit } from "../manifests/map-limit.js";
import type { ReconcilerDeps } from "./reconciler.js";

/** What a drift check found. Keys are masked like messages: a name can hold a credential shape. */
export interface DriftReport {
  /** Objects compared. */
  checked: number;
  /** Keys whose live object differed from the approved content. */
  drifted: string[];
  reverted: string[];
  /** Keys that could not be reverted, with the (masked) reason. */
  failed: { key: string; message: string }[];
  /** Inventory objects not at L's content (a partial apply): checked once L moves. */
  notChecked: number;
}

/** Checks and reverts drift. Throws (nothing written) when GitHub, the cluster or the audit store is unreachable. */
export async function checkDrift(deps: ReconcilerDeps): Promise<DriftReport> {
  const { settings, masker } = deps;
  const report: DriftReport = { checked: 0, drifted: [], reverted: [], failed: [], notChecked: 0 };
  const inventory = await deps.inventory.read();
  if (inventory === undefined) return report;
  const at = inventory.lastAppliedCommit;
  const desired = await readDesired(
    deps.reader,
    settings.repo,
    at,
    settings.paths,
    undefined,
    settings.secretDigestKey,
  );
  const candidates: DesiredChange[] = [];
  for (const [key, entry] of Object.entries(inventory.objects)) {
    const object = desired.set.objects.get(key);
    if (object === undefined || object.digest !== entry.digest) {
      report.notChecked++;
      continue;
    }
    candidates.push({ key, op: "update", apiVersion: object.apiVersion, digest: object.digest, object });
  }
  report.checked = candidates.length;
  const drifted: DesiredChange[] = [];
  await mapLimit(candidates, settings.concurrency, async (change) => {
    const object = change.object?.object ?? {};
    const annotations = (object["metadata"] as { annotations?: Record<string, unknown> } | undefined)
      ?.annotations;
    const outcome = await deps.applier.apply(object, {
      dryRun: true,
      force: annotations?.[FORCE_CONFLICTS_ANNOTATION] === "true",
    });
    if (outcome.result !== "unchanged") drifted.push(change);
  });
  drifted.sort((a, b) => (a.key < b.key ? -1 : 1));
  report.drifted = drifted.map((d) => masker.maskText(d.key));
  if (drifted.length === 0) return report;

  const repository = `${settings.repo.owner}/${settings.repo.repo}`;
  if (deps.lease !== undefined && !deps.lease.isHeld())
    throw new Error("reverting drift: the leader lease is not held");
  const intent = await deps.audit.appendIntent({
    repository,
    commit: at,
    pullRequests: [],
    approvals: [],
    objects: drifted.map((d) => ({
      key: d.key,
      op: "update",
      digest: d.digest,
      ...(d.object ? { object: d.object.object } : {}),
    })),
    message: `reverting drift of ${drifted.length} object(s) to the content applied at ${at.slice(0, 12)}`,
  });
  const startedAt = deps.clock.now().toISOString();
  let results: ObjectResult[];
  try {
    const run = await applyChanges(
      {
        applier: deps.applier,
        ...(deps.lease === undefined ? {} : { lease: deps.lease }),
        concurrency: settings.concurrency,
        crdEstablishedTimeoutMs: settings.crdEstablishedTimeoutMs,
        masker,
        now: deps.now,
      },
      drifted,
    );
    results = run.results;
  } catch (error) {
    results = drifted.map((d) => ({
      key: d.key,
      op: d.op,
      apiVersion: d.apiVersion,
      digest: d.digest,
      outcome: "failed",
      message: masker.maskText(describeError(error)),
      durationMs: 0,
    }));
  }
  const objects: ObjectInput[] = results.map((r) => ({
    key: r.key,
    op: r.op,
    digest: r.digest,
    outcome: r.outcome,
    ...(r.message === undefined ? {} : { message: r.message }),
  }));
  for (const r of results) {
    const key = masker.maskText(r.key);
    if (r.outcome === "configured" || r.outcome === "created" || r.outcome === "unchanged")
      report.reverted.push(key);
    else report.failed.push({ key, message: r.message ?? r.outcome });
  }
  await deps.audit.appendResult(intent, {
    status: report.failed.length === 0 ? "succeeded" : "failed",
    objects,
    startedAt,
  });
  await deps.audit.appendDrift({
    repository,
    commit: at,
    objects,
    message:
      report.failed.length === 0
        ? `${report.reverted.length} drifted object(s) reverted`
        : `${report.reverted.length} drifted object(s) reverted; ${report.failed.length} could not be reverted`,
  });
  deps.log.warn(
    { cluster: settings.cluster, drifted: report.drifted.length, failed: report.failed.map((f) => f.key) },
    "drift found and reverted",
  );
  return report;
}
