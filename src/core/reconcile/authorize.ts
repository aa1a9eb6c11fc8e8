/**
 * The reconciler rule (docs/reconciler.md): for every object whose content differs between the
 * inventory and D, the latest group of commits between L and D that touched it must be a merged
 * pull request whose verified approval record covers its content in D. One uncovered object
 * refuses the whole commit. Pure: the history, the approvals and the scope are handed in.
 */
import { coverage } from "../approval/coverage.js";
import type { ApprovalRecord, Operation } from "../model.js";
import type { DesiredChange } from "./desired-changes.js";
import { outsideScopeReason, selfProtectedReason } from "./self-protection.js";
import type { ManageScope } from "./self-protection.js";

/** Consecutive first-parent commits of one pull request, or one direct-push commit. */
export interface HistoryGroup {
  /** The merged pull request the commits belong to; undefined for a direct push. */
  pullRequest?: number;
  /** Oldest first. */
  commits: string[];
  /** Objects the group changed: key -> digest after the group ("" when it deleted the object). */
  touched: ReadonlyMap<string, string>;
}

/** A pull request's approval as verified now (record from this app's check run, reviews re-read). */
export type PullApproval =
  { ok: true; record: ApprovalRecord; checkRunId: number } | { ok: false; reason: string };

export interface UncoveredObject {
  key: string;
  op: Operation;
  /** The content digest in D ("" for a deletion). */
  digest: string;
  reason: string;
  /** The group that last touched it: a pull request number or a direct-push commit. */
  pullRequest?: number;
  commit?: string;
}

export interface Authorization {
  authorized: boolean;
  /** Changes covered, each with the pull request whose approval covers it. */
  covered: { change: DesiredChange; pullRequest: number }[];
  uncovered: UncoveredObject[];
  /** Groups that changed managed objects without a valid approval, even when a later change superseded them. */
  unapproved: { pullRequest?: number; commit: string; reason: string }[];
}

export interface AuthorizeInput {
  changes: readonly DesiredChange[];
  /** Oldest first. */
  groups: readonly HistoryGroup[];
  approvals: ReadonlyMap<number, PullApproval>;
  scope: ManageScope;
}

const short = (sha: string): string => sha.slice(0, 7);

function groupProblem(group: HistoryGroup, approvals: AuthorizeInput["approvals"]): string | undefined {
  if (group.pullRequest === undefined) {
    return `direct push ${short(group.commits[group.commits.length - 1] ?? "")}: not through an approved pull request`;
  }
  const approval = approvals.get(group.pullRequest);
  if (approval === undefined) return `#${group.pullRequest}: its approval could not be read`;
  return approval.ok ? undefined : `#${group.pullRequest}: ${approval.reason}`;
}

/** Applies the reconciler rule. */
export function authorize(input: AuthorizeInput): Authorization {
  const lastTouch = new Map<string, HistoryGroup>();
  for (const group of input.groups) for (const key of group.touched.keys()) lastTouch.set(key, group);

  const covered: Authorization["covered"] = [];
  const uncovered: UncoveredObject[] = [];
  for (const change of input.changes) {
    const outside = outsideScopeReason(change, input.scope);
    if (outside !== undefined) {
      uncovered.push({
        key: change.key,
        op: change.op,
        digest: change.digest,
        reason: `outside what this reconciler manages: ${outside}`,
      });
      continue;
    }
    const group = lastTouch.get(change.key);
    if (group === undefined) {
      uncovered.push({
        key: change.key,
        op: change.op,
        digest: change.digest,
        reason: "differs from what was applied, but no commit since the last applied one changed it",
      });
      continue;
    }
    const where =
      group.pullRequest === undefined
        ? { commit: group.commits[group.commits.length - 1] ?? "" }
        : { pullRequest: group.pullRequest };
    const problem = groupProblem(group, input.approvals);
    const approval = group.pullRequest === undefined ? undefined : input.approvals.get(group.pullRequest);
    if (problem !== undefined || approval === undefined || !approval.ok) {
      uncovered.push({
        key: change.key,
        op: change.op,
        digest: change.digest,
        reason: `last changed by ${problem ?? "an unapproved change"}`,
        ...where,
      });
      continue;
    }
    const result = coverage(
      [{ key: change.key, op: change.op, afterDigest: change.digest }],
      [approval.record],
    );
    const miss = result.uncovered[0];
    if (miss !== undefined) {
      uncovered.push({
        key: change.key,
        op: change.op,
        digest: change.digest,
        reason: `#${group.pullRequest}'s approval: ${miss.reason}`,
        ...where,
      });
      continue;
    }
    const self = selfProtectedReason(change, input.scope);
    if (self !== undefined) {
      const level = approval.record.changes.find((c) => c.key === change.key)?.level;
      if (level !== "critical") {
        uncovered.push({
          key: change.key,
          op: change.op,
          digest: change.digest,
          reason: `${self}: changes need an approval at critical level (approved at ${level ?? "no level"})`,
          ...where,
        });
        continue;
      }
    }
    covered.push({ change, pullRequest: group.pullRequest as number });
  }

  const unapproved: Authorization["unapproved"] = [];
  for (const group of input.groups) {
    if (group.touched.size === 0) continue;
    const problem = groupProblem(group, input.approvals);
    if (problem === undefined) continue;
    const entry = { commit: group.commits[group.commits.length - 1] ?? "", reason: problem };
    unapproved.push(group.pullRequest === undefined ? entry : { ...entry, pullRequest: group.pullRequest });
  }
  return { authorized: uncovered.length === 0, covered, uncovered, unapproved };
}
