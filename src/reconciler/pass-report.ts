/**
 * What a pass tells: the commit status, the refusal (audit record first, then status and
 * comments), and the inventory write every outcome ends with.
 */
import { describeError } from "../core/error-text.js";
import type { Inventory } from "../core/ports/cluster.js";
import type { Authorization, HistoryGroup, UncoveredObject } from "../core/reconcile/authorize.js";
import type { PassReport } from "./pass.js";
import type { ReconcilerDeps } from "./reconciler.js";
import { applyCommentMarker, refusalComment, STATUS_CONTEXT, statusText } from "./report-text.js";

export const short = (sha: string): string => sha.slice(0, 12);

/** A pass that must stop without applying more (the lease was lost). */
export class PassFailure extends Error {}

export async function setStatus(
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

export async function writeInventory(deps: ReconcilerDeps, inventory: Inventory): Promise<void> {
  if (deps.lease !== undefined && !deps.lease.isHeld())
    throw new PassFailure("the leader lease was lost: the inventory was not written");
  await deps.inventory.write({ ...inventory, updatedAt: deps.clock.now().toISOString() });
}

export async function refuse(
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

export async function tell(deps: ReconcilerDeps, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    deps.log.warn({ error: deps.masker.maskText(describeError(error)) }, "posting a comment failed");
  }
}
