/**
 * One pass: head (ETag) → desired manifests at D → changes against the inventory → authorize by
 * the reconciler rule → refuse (nothing written) or apply (audit intent first) → report. GitHub,
 * the API server or the audit store unreachable: nothing is applied (fail closed), and the pass is
 * retried next tick.
 */
import { describeError } from "../core/error-text.js";
import { createManifestParseCache } from "../core/manifest-set.js";
import { authorize } from "../core/reconcile/authorize.js";
import type { PullApproval, UncoveredObject } from "../core/reconcile/authorize.js";
import { desiredChanges } from "../core/reconcile/desired-changes.js";
import type { ObjectResult } from "./apply.js";
import { readDesired } from "./desired.js";
import { readHistory } from "./history.js";
import { apply } from "./pass-apply.js";
import { refuse, setStatus, short, writeInventory } from "./pass-report.js";
import type { ReconcilerDeps } from "./reconciler.js";

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
