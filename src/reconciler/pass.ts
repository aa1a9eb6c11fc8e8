/**
 * One pass: head (ETag) → desired manifests at D → changes against the inventory → authorize by
 * the reconciler rule → refuse (nothing written) or apply (audit intent first) → report. GitHub,
 * the API server or the audit store unreachable: nothing is applied (fail closed), and the pass is
 * retried next tick.
 */
import type { AuditApproval } from "../core/audit/record.js";
import type { ObjectInput } from "../core/audit/build.js";
import { describeError } from "../core/error-text.js";
import { createManifestParseCache } from "../core/manifest-set.js";
import type { Inventory } from "../core/ports/cluster.js";
import { authorize } from "../core/reconcile/authorize.js";
import type {
  Authorization,
  HistoryGroup,
  PullApproval,
  UncoveredObject,
} from "../core/reconcile/authorize.js";
import { desiredChanges } from "../core/reconcile/desired-changes.js";
import type { DesiredChange } from "../core/reconcile/desired-changes.js";
import { applyChanges } from "./apply.js";
import type { ObjectResult } from "./apply.js";
import { readDesired } from "./desired.js";
import { readHistory } from "./history.js";
import type { ReconcilerDeps } from "./reconciler.js";
import {
  applyCommentMarker,
  appliedComment,
  outcomeCounts,
  refusalComment,
  STATUS_CONTEXT,
  statusText,
} from "./report-text.js";

export type PassOutcome = "idle" | "nothing" | "applied" | "refused" | "failed";

export interface PassReport {
  outcome: PassOutcome;
  /** D, when the head was read. */
  sha?: string;
  /** Masked. */
  message?: string;
  results?: ObjectResult[];
  uncovered?: UncoveredObject[];
  /** Id of the intent record of an apply. */
  auditId?: string;
}

/** State kept between passes. */
export interface PassState {
  etag?: string;
  /** True until a pass over the current head completed (applied, nothing to do, or refused). */
  pending: boolean;
  cache: ReturnType<typeof createManifestParseCache>;
}

export function newPassState(): PassState {
  return { pending: true, cache: createManifestParseCache() };
}

const short = (sha: string): string => sha.slice(0, 12);

class PassFailure extends Error {}

/** Runs one pass. Never throws: every failure is a `failed` report (masked), and the next pass retries. */
export async function runPass(deps: ReconcilerDeps, state: PassState): Promise<PassReport> {
  const { settings, reader, masker } = deps;
  let sha: string | undefined;
  try {
    const head = await reader.branchHead(
      settings.repo,
      settings.branch,
      state.pending ? undefined : state.etag,
    );
    if (head.status === "unchanged") return { outcome: "idle" };
    sha = head.sha;
    state.pending = true;
    const report = await reconcileCommit(deps, state, head.sha);
    if (report.outcome !== "failed") {
      state.pending = false;
      if (head.etag !== undefined) state.etag = head.etag;
      else delete state.etag;
    }
    return report;
  } catch (error) {
    state.pending = true;
    const message = masker.maskText(describeError(error));
    deps.log.error(
      { cluster: settings.cluster, sha, error: message },
      "reconcile pass failed; nothing more is applied until the next pass",
    );
    if (sha !== undefined) await setStatus(deps, sha, "error", `not applied: ${message}`);
    const report: PassReport = { outcome: "failed", message };
    if (sha !== undefined) report.sha = sha;
    return report;
  }
}

async function setStatus(
  deps: ReconcilerDeps,
  sha: string,
  state: "success" | "failure" | "error",
  text: string,
): Promise<void> {
  try {
    await deps.reporter.setStatus(
      deps.settings.repo,
      sha,
      STATUS_CONTEXT,
      state,
      statusText(deps.masker, text),
    );
  } catch (error) {
    deps.log.warn(
      { sha, error: deps.masker.maskText(describeError(error)) },
      "setting the commit status failed",
    );
  }
}

async function reconcileCommit(deps: ReconcilerDeps, state: PassState, sha: string): Promise<PassReport> {
  const { settings, reader } = deps;
  const inventory = await deps.inventory.read();
  if (inventory === undefined) {
    return refuse(
      deps,
      sha,
      [],
      [],
      `no baseline on ${settings.cluster}: an operator must run \`countersign reconcile --adopt <sha> --reason <text>\` first`,
    );
  }
  const desired = await readDesired(
    reader,
    settings.repo,
    sha,
    settings.paths,
    state.cache,
    settings.secretDigestKey,
  );
  if (desired.set.errors.length > 0) {
    const first = desired.set.errors
      .slice(0, 3)
      .map((e) => `${e.file}${e.line === undefined ? "" : `:${e.line}`}: ${e.message}`);
    return refuse(
      deps,
      sha,
      [],
      [],
      `the manifests at ${short(sha)} are invalid (${desired.set.errors.length} problem(s)): ${first.join("; ")}`,
    );
  }
  // Server-side apply addresses objects by name: one planned from metadata.generateName (a hook
  // Job, keyed `<generateName>*`) cannot be applied idempotently, so it is refused, not guessed at.
  const unnamed = [...desired.set.objects.values()].filter((o) => o.name.endsWith("*"));
  if (unnamed.length > 0) {
    return refuse(
      deps,
      sha,
      [],
      [],
      `${unnamed.length} object(s) have only metadata.generateName, which server-side apply cannot address (give them a metadata.name): ${unnamed
        .slice(0, 3)
        .map((o) => `${o.source.file} (${o.key})`)
        .join(", ")}`,
    );
  }
  const changes = desiredChanges(inventory.objects, desired.set);
  const from = inventory.lastAppliedCommit;
  if (changes.length === 0) {
    if (from !== sha) await writeInventory(deps, { ...inventory, lastAppliedCommit: sha });
    await setStatus(deps, sha, "success", `${settings.cluster}: up to date, nothing to apply`);
    return { outcome: "nothing", sha };
  }

  const history = await readHistory(
    {
      reader,
      repo: settings.repo,
      branch: settings.branch,
      paths: settings.paths,
      limit: settings.historyLimit,
      buildSet: desired.buildSet,
    },
    from,
    sha,
  );
  if (history.status === "not-ancestor") {
    return refuse(
      deps,
      sha,
      [],
      [],
      `the last applied commit ${short(from)} is not on the first-parent history of ${short(sha)} (history rewritten?): an operator must adopt a new baseline`,
    );
  }
  if (history.status === "too-long") {
    return refuse(
      deps,
      sha,
      [],
      [],
      `more than ${history.limit} commits since the last applied commit ${short(from)}: they cannot all be checked; an operator must adopt a new baseline`,
    );
  }
  const approvals = new Map<number, PullApproval>();
  for (const group of history.groups) {
    if (group.pullRequest === undefined || group.touched.size === 0 || approvals.has(group.pullRequest))
      continue;
    approvals.set(group.pullRequest, await deps.approvals.verify(settings.repo, group.pullRequest));
  }
  const auth = authorize({ changes, groups: history.groups, approvals, scope: settings.scope });
  if (!auth.authorized) return refuse(deps, sha, auth.uncovered, history.groups, undefined, auth);
  return apply(deps, sha, inventory, changes, auth, approvals);
}

async function writeInventory(deps: ReconcilerDeps, inventory: Inventory): Promise<void> {
  if (deps.lease !== undefined && !deps.lease.isHeld())
    throw new PassFailure("the leader lease was lost: the inventory was not written");
  await deps.inventory.write({ ...inventory, updatedAt: deps.clock.now().toISOString() });
}

async function refuse(
  deps: ReconcilerDeps,
  sha: string,
  uncovered: UncoveredObject[],
  groups: readonly HistoryGroup[],
  reason: string | undefined,
  auth?: Authorization,
): Promise<PassReport> {
  const { settings, masker } = deps;
  const pullRequests = [
    ...new Set(
      groups
        .filter((g) => g.touched.size > 0)
        .flatMap((g) => (g.pullRequest === undefined ? [] : [g.pullRequest])),
    ),
  ];
  const pushes = [
    ...new Set((auth?.unapproved ?? []).filter((u) => u.pullRequest === undefined).map((u) => u.commit)),
  ];
  const summary =
    reason ??
    `${uncovered.length} object(s) not covered by an approved pull request: ${uncovered
      .slice(0, 3)
      .map(
        (u) =>
          `${u.key} (${u.pullRequest !== undefined ? `#${u.pullRequest}` : u.commit !== undefined ? `push ${u.commit.slice(0, 7)}` : "?"})`,
      )
      .join(", ")}`;
  // The refusal is recorded before anyone is told (spooled when the store is down).
  await deps.audit.appendRefusal({
    repository: `${settings.repo.owner}/${settings.repo.repo}`,
    commit: sha,
    pullRequests,
    objects: uncovered.map((u) => ({ key: u.key, op: u.op, digest: u.digest, message: u.reason })),
    message: summary,
  });
  deps.log.warn(
    { cluster: settings.cluster, sha, uncovered: uncovered.length, reason: masker.maskText(summary) },
    "refused: nothing applied",
  );
  await setStatus(deps, sha, "failure", `refused on ${settings.cluster}: ${summary}`);
  const body = refusalComment(masker, {
    cluster: settings.cluster,
    sha,
    uncovered,
    ...(reason === undefined ? {} : { reason }),
  });
  for (const number of pullRequests) {
    await tell(deps, () =>
      deps.reporter.upsertPullComment(settings.repo, number, applyCommentMarker(settings.cluster), body),
    );
  }
  for (const commit of pushes)
    await tell(deps, () => deps.reporter.commentOnCommit(settings.repo, commit, body));
  const report: PassReport = { outcome: "refused", sha, uncovered, message: masker.maskText(summary) };
  return report;
}

async function tell(deps: ReconcilerDeps, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    deps.log.warn({ error: deps.masker.maskText(describeError(error)) }, "posting a comment failed");
  }
}

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

async function apply(
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
