/**
 * Executes an authorized plan against the cluster: a server-side dry run of the whole batch first
 * (any rejection stops before the first write), then Namespaces and CRDs (waiting until each CRD
 * is Established), then everything else with bounded concurrency, then the approved deletions in
 * reverse order. Every write is preceded by a lease check. Results are typed per object
 * (created, configured, unchanged, deleted, skipped, failed) with the API server's reason masked.
 *
 * Force: server-side apply runs with force=false, so a field another manager owns is a conflict
 * (failed, with the server's message) rather than silently taken over; approved content opts in
 * with the annotation FORCE_CONFLICTS_ANNOTATION: "true", which is part of the approved digest.
 */
import type { ObjectOutcome } from "../core/audit/record.js";
import { describeError } from "../core/error-text.js";
import type { Masker } from "../core/mask/types.js";
import type { KubeObject } from "../core/model.js";
import { crdScope, parseObjectKey } from "../core/object-key.js";
import type { ClusterApplier, LeaderLease, ObjectRef } from "../core/ports/cluster.js";
import type { DesiredChange } from "../core/reconcile/desired-changes.js";
import { mapLimit } from "../manifests/map-limit.js";

/** Annotation by which approved content asks server-side apply to take over conflicting fields. */
export const FORCE_CONFLICTS_ANNOTATION = "countersign.dev/force-conflicts";

export interface ObjectResult {
  key: string;
  op: DesiredChange["op"];
  apiVersion: string;
  digest: string;
  object?: KubeObject;
  outcome: ObjectOutcome;
  /** Masked. */
  message?: string;
  durationMs: number;
}

export interface ApplyRun {
  results: ObjectResult[];
  status: "succeeded" | "failed";
  /** Masked; why the run stopped early. */
  message?: string;
}

export interface ApplyDeps {
  applier: ClusterApplier;
  lease?: LeaderLease;
  concurrency: number;
  crdEstablishedTimeoutMs: number;
  masker: Masker;
  /** Milliseconds, monotonic enough for durations. */
  now(): number;
}

class LeaseLost extends Error {}

const isNamespace = (c: DesiredChange): boolean => /^\/Namespace\//.test(c.key);
const isCrd = (c: DesiredChange): boolean =>
  c.key.startsWith("apiextensions.k8s.io/CustomResourceDefinition/");

function refOf(change: DesiredChange): ObjectRef {
  const { kind, namespace, name } = parseObjectKey(change.key);
  return { apiVersion: change.apiVersion, kind, namespace, name };
}

function forceOf(object: KubeObject): boolean {
  const metadata = object["metadata"];
  const annotations =
    typeof metadata === "object" && metadata !== null
      ? (metadata as Record<string, unknown>)["annotations"]
      : undefined;
  return (
    typeof annotations === "object" &&
    annotations !== null &&
    (annotations as Record<string, unknown>)[FORCE_CONFLICTS_ANNOTATION] === "true"
  );
}

/** Applies `changes` (already authorized). Never throws for an object's failure: it is a result. */
export async function applyChanges(deps: ApplyDeps, changes: readonly DesiredChange[]): Promise<ApplyRun> {
  const results = new Map<string, ObjectResult>();
  const failureText = (error: unknown): string => deps.masker.maskText(describeError(error));
  const record = (change: DesiredChange, outcome: ObjectOutcome, started: number, message?: string): void => {
    const result: ObjectResult = {
      key: change.key,
      op: change.op,
      apiVersion: change.apiVersion,
      digest: change.digest,
      outcome,
      durationMs: Math.max(0, Math.round(deps.now() - started)),
    };
    if (change.object !== undefined) result.object = change.object.object;
    if (message !== undefined) result.message = message;
    results.set(change.key, result);
  };
  const finish = (status: ApplyRun["status"], message?: string): ApplyRun => {
    const now = deps.now();
    for (const change of changes) if (!results.has(change.key)) record(change, "skipped", now);
    const run: ApplyRun = { results: changes.map((c) => results.get(c.key) as ObjectResult), status };
    if (message !== undefined) run.message = message;
    return run;
  };
  const guard = (): void => {
    if (deps.lease !== undefined && !deps.lease.isHeld()) throw new LeaseLost("the leader lease was lost");
  };

  const applies = changes.filter((c) => c.op !== "delete" && c.object !== undefined);
  const deletes = changes.filter((c) => c.op === "delete");
  const first = applies.filter((c) => isNamespace(c) || isCrd(c));
  const rest = applies.filter((c) => !isNamespace(c) && !isCrd(c));
  // Objects in a namespace, or of a kind, that this batch creates cannot be dry-run before it exists.
  const newNamespaces = new Set(
    first.filter((c) => isNamespace(c) && c.op === "create").map((c) => parseObjectKey(c.key).name),
  );
  const newKinds = new Set(
    first.flatMap((c) => (isCrd(c) && c.object ? [crdScope(c.object.object)?.groupKind ?? ""] : [])),
  );
  const deferred = (c: DesiredChange): boolean => {
    const { group, kind, namespace } = parseObjectKey(c.key);
    return newNamespaces.has(namespace) || newKinds.has(`${group}/${kind}`);
  };

  const dryRun = async (batch: readonly DesiredChange[]): Promise<string | undefined> => {
    const rejected: string[] = [];
    await mapLimit(batch, deps.concurrency, async (change) => {
      const started = deps.now();
      try {
        if (change.op === "delete") await deps.applier.delete(refOf(change), { dryRun: true });
        else {
          const object = change.object?.object as KubeObject;
          await deps.applier.apply(object, { dryRun: true, force: forceOf(object) });
        }
      } catch (error) {
        const message = `dry run rejected: ${failureText(error)}`;
        record(change, "failed", started, message);
        rejected.push(`${change.key}: ${message}`);
      }
    });
    return rejected.length === 0
      ? undefined
      : `the server-side dry run rejected ${rejected.length} object(s); nothing more was written`;
  };

  const applyOne = async (change: DesiredChange): Promise<void> => {
    guard();
    const started = deps.now();
    const object = change.object?.object as KubeObject;
    try {
      const outcome = await deps.applier.apply(object, { dryRun: false, force: forceOf(object) });
      record(change, outcome.result, started);
    } catch (error) {
      record(change, "failed", started, failureText(error));
    }
  };

  try {
    const stop = await dryRun([...first, ...rest.filter((c) => !deferred(c)), ...deletes]);
    if (stop !== undefined) return finish("failed", stop);

    for (const change of first) {
      await applyOne(change);
      const result = results.get(change.key);
      if (result?.outcome === "failed")
        return finish(
          "failed",
          `applying ${change.key} failed; stopped before the objects that depend on it`,
        );
      if (isCrd(change)) {
        const started = deps.now();
        try {
          await deps.applier.waitForCrdEstablished(
            parseObjectKey(change.key).name,
            deps.crdEstablishedTimeoutMs,
          );
        } catch (error) {
          record(change, "failed", started, `not Established: ${failureText(error)}`);
          return finish("failed", `${change.key} did not become Established`);
        }
      }
    }
    const late = await dryRun(rest.filter(deferred));
    if (late !== undefined) return finish("failed", late);

    await mapLimit(rest, deps.concurrency, applyOne);
    if ([...results.values()].some((r) => r.outcome === "failed")) {
      // An approved deletion may depend on its replacement being in place: keep the old objects.
      return finish("failed", "some objects failed to apply; approved deletions were not pruned");
    }

    const order = (c: DesiredChange): number => (isNamespace(c) ? 2 : isCrd(c) ? 1 : 0);
    const prune = [...deletes].sort((a, b) => order(a) - order(b) || (a.key < b.key ? 1 : -1));
    for (const change of prune) {
      guard();
      const started = deps.now();
      try {
        const gone = await deps.applier.delete(refOf(change), { dryRun: false });
        record(change, "deleted", started, gone === "absent" ? "was already absent" : undefined);
      } catch (error) {
        record(change, "failed", started, failureText(error));
      }
    }
  } catch (error) {
    if (error instanceof LeaseLost)
      return finish("failed", "the leader lease was lost: stopped before the next write");
    throw error;
  }
  const failed = [...results.values()].some((r) => r.outcome === "failed");
  return finish(failed ? "failed" : "succeeded", failed ? "some objects failed" : undefined);
}
