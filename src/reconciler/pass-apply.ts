/**
 * The apply half of a pass: the intent record first (no audit, no apply), the changes, the
 * inventory, the result record, then the status and a comment on each pull request.
 */
import type { AuditApproval } from "../core/audit/record.js";
import type { ObjectInput } from "../core/audit/build.js";
import { describeError } from "../core/error-text.js";
import type { Inventory } from "../core/ports/cluster.js";
import type { Authorization, PullApproval } from "../core/reconcile/authorize.js";
import type { DesiredChange } from "../core/reconcile/desired-changes.js";
import { applyChanges } from "./apply.js";
import type { PassReport } from "./pass.js";
import { PassFailure, setStatus, tell, writeInventory } from "./pass-report.js";
import type { ReconcilerDeps } from "./reconciler.js";
import { applyCommentMarker, appliedComment, outcomeCounts } from "./report-text.js";

function auditApprovals(auth: Authorization, approvals: ReadonlyMap<number, PullApproval>): AuditApproval[] {
  const numbers = [...new Set(auth.covered.map((c) => c.pullRequest))].sort((a, b) => a - b);
  return numbers.flatMap((n) => {
    const a = approvals.get(n);
    if (a === undefined || !a.ok) return [];
    const r = a.record;
    return [
      {
        pullRequest: n,
        headSha: r.headSha,
        checkRunId: a.checkRunId,
        changeSetDigest: r.changeSetDigest,
        policyDigest: r.policyDigest,
        level: r.level,
        auto: r.auto,
        approvers: r.approvers,
        changes: r.changes,
      },
    ];
  });
}

function levelOf(
  change: DesiredChange,
  pullRequest: number,
  approvals: ReadonlyMap<number, PullApproval>,
): ObjectInput["level"] {
  const a = approvals.get(pullRequest);
  return a?.ok === true ? a.record.changes.find((c) => c.key === change.key)?.level : undefined;
}

export async function apply(
  deps: ReconcilerDeps,
  sha: string,
  inventory: Inventory,
  changes: DesiredChange[],
  auth: Authorization,
  approvals: ReadonlyMap<number, PullApproval>,
): Promise<PassReport> {
  const { settings, masker } = deps;
  const repository = `${settings.repo.owner}/${settings.repo.repo}`;
  const byKey = new Map(auth.covered.map((c) => [c.change.key, c.pullRequest]));
  const pullRequests = [...new Set(byKey.values())].sort((a, b) => a - b);
  const superseded = auth.unapproved.map(
    (u) =>
      `${u.pullRequest !== undefined ? `#${u.pullRequest}` : `push ${u.commit.slice(0, 7)}`}: ${u.reason}`,
  );
  if (deps.lease !== undefined && !deps.lease.isHeld())
    throw new PassFailure("the leader lease is not held: nothing applied");
  // No audit, no apply: this throws unless the intent is durably stored.
  const intent = await deps.audit.appendIntent({
    repository,
    commit: sha,
    pullRequests,
    approvals: auditApprovals(auth, approvals),
    // Segregation of duties: the record shows who wrote what was applied, next to who approved it.
    authors: pullRequests.flatMap((n) => {
      const a = approvals.get(n);
      return a?.ok === true ? [{ pullRequest: n, login: a.record.author }] : [];
    }),
    objects: changes.map((c) => {
      const input: ObjectInput = { key: c.key, op: c.op, digest: c.digest };
      if (c.object !== undefined) input.object = c.object.object;
      const level = levelOf(c, byKey.get(c.key) ?? -1, approvals);
      if (level !== undefined) input.level = level;
      return input;
    }),
    ...(superseded.length > 0
      ? { message: `superseded changes without approval: ${superseded.join("; ")}` }
      : {}),
  });
  const startedAt = deps.clock.now().toISOString();
  const run = await applyChanges(
    {
      applier: deps.applier,
      ...(deps.lease === undefined ? {} : { lease: deps.lease }),
      concurrency: settings.concurrency,
      crdEstablishedTimeoutMs: settings.crdEstablishedTimeoutMs,
      masker,
      now: deps.now,
    },
    changes,
  );

  // The inventory learns only what is known applied; L moves only when everything was.
  const objects = { ...inventory.objects };
  for (const r of run.results) {
    if (r.outcome === "deleted") delete objects[r.key];
    else if (r.outcome === "created" || r.outcome === "configured" || r.outcome === "unchanged") {
      objects[r.key] = { apiVersion: r.apiVersion, digest: r.digest };
    }
  }
  let inventoryError: string | undefined;
  try {
    await writeInventory(deps, {
      ...inventory,
      objects,
      lastAppliedCommit: run.status === "succeeded" ? sha : inventory.lastAppliedCommit,
    });
  } catch (error) {
    inventoryError = masker.maskText(describeError(error));
  }
  const status = run.status === "succeeded" && inventoryError === undefined ? "succeeded" : "failed";
  const message = [
    run.message,
    inventoryError && `writing the inventory failed: ${inventoryError}`,
    `${outcomeCounts(run.results)}`,
  ]
    .filter((m): m is string => typeof m === "string" && m !== "")
    .join("; ");
  await deps.audit.appendResult(intent, {
    status,
    objects: run.results.map((r) => {
      const o: ObjectInput = { key: r.key, op: r.op, digest: r.digest, outcome: r.outcome };
      o.message = `${r.message === undefined ? r.outcome : r.message} (${r.durationMs} ms)`;
      return o;
    }),
    message,
    startedAt,
  });
  deps.log.info(
    { cluster: settings.cluster, sha, audit: intent.id, status, counts: outcomeCounts(run.results) },
    "applied",
  );
  await setStatus(
    deps,
    sha,
    status === "succeeded" ? "success" : "failure",
    `${status === "succeeded" ? "applied" : "partly applied"} to ${settings.cluster}: ${outcomeCounts(run.results)} (audit ${intent.id})`,
  );
  for (const number of pullRequests) {
    const mine = run.results.filter((r) => byKey.get(r.key) === number);
    const body = appliedComment(masker, {
      cluster: settings.cluster,
      sha,
      results: mine,
      auditId: intent.id,
      ...(run.message === undefined ? {} : { message: run.message }),
    });
    await tell(deps, () =>
      deps.reporter.upsertPullComment(settings.repo, number, applyCommentMarker(settings.cluster), body),
    );
  }
  const report: PassReport = {
    outcome: status === "succeeded" ? "applied" : "failed",
    sha,
    results: run.results,
    auditId: intent.id,
  };
  if (status !== "succeeded") report.message = masker.maskText(message);
  return report;
}
