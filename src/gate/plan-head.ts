import { createHash } from "node:crypto";
import { approvalBindingDigest, protectedFileStates } from "../core/approval/binding.js";
import type { ProtectedFileState } from "../core/approval/binding.js";
import { escalateForProtectedFiles } from "../core/approval/protected-changes.js";
import { REPORT_CHAR_BUDGET } from "../core/constants.js";
import type { Plan } from "../core/model.js";
import { plan as planChanges } from "../core/plan.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import type { CheckResult, PullRequestSource, RepoRef } from "../core/ports/pull-request-source.js";
import type { RepoConfig } from "../core/repo-config.js";
import type { Lru } from "../github/lru.js";
import { approvalRecordFit } from "../core/approval/record.js";
import { invalidManifestsResult, noManagedChangeResult, tooLargeToRecordResult } from "./check-output.js";
import type { GateEngine } from "../policy-engine/engine.js";
import { readPullRequestContent } from "../manifests/read-pull-request-content.js";

/** What a PR head amounts to, before reviews: a plan to approve, or a result that needs none. */
export type PlannedHead =
  | {
      kind: "final";
      result: CheckResult;
      outcome: "invalid-manifests" | "neutral" | "failure";
      digest?: string;
    }
  | { kind: "plan"; plan: Plan; digest: string; report: string; protectedFiles: ProtectedFileState[] };

/** Everything a plan depends on; all of it immutable (SHAs and digests), so the plan can be cached. */
export function planKey(
  repo: RepoRef,
  mergeBase: string,
  head: string,
  configText: string,
  policy: CompiledPolicy,
): string {
  const config = createHash("sha256").update(configText).digest("hex");
  return `${repo.owner}/${repo.repo}@${mergeBase}..${head}|${policy.digest}|${config}`;
}

/**
 * Reads the managed manifests at the merge base and the head, plans them with the policy and
 * escalates a change to a protected file. Cached by `planKey`: review events on the same head
 * re-use the plan instead of re-reading and re-parsing every manifest.
 */
export async function planHead(
  deps: { source: PullRequestSource; engine: GateEngine; plans?: Lru<PlannedHead> },
  repo: RepoRef,
  config: RepoConfig,
  key: string,
  policy: CompiledPolicy,
  mergeBase: string,
  head: string,
): Promise<PlannedHead> {
  const cached = deps.plans?.get(key);
  if (cached !== undefined) return cached;
  const content = await readPullRequestContent(
    deps.source,
    repo,
    config,
    mergeBase,
    head,
    deps.engine.secretDigestKey,
  );
  let planned: PlannedHead;
  if (content.head.errors.length > 0) {
    planned = {
      kind: "final",
      result: invalidManifestsResult(content.head.errors, (t) => deps.engine.maskText(t)),
      outcome: "invalid-manifests",
    };
  } else {
    const classified = planChanges(content.base, content.head, policy);
    const { changeSet } = classified;
    const plan = escalateForProtectedFiles(
      classified,
      content.changedFiles,
      config,
      policy.requirements.critical,
    );
    if (changeSet.changes.length === 0 && plan === classified) {
      const neutral = noManagedChangeResult(content.changedFiles.length, content.changedManifests.length);
      planned = {
        kind: "final",
        result: { ...neutral, externalId: changeSet.digest },
        outcome: "neutral",
        digest: changeSet.digest,
      };
    } else {
      const report = deps.engine.renderReport(plan, {
        maxChars: REPORT_CHAR_BUDGET - 100,
        title: "countersign report",
      });
      const protectedFiles = protectedFileStates(config, content.changedFiles, content.changedHeadBlobs);
      const digest = approvalBindingDigest(changeSet.digest, protectedFiles);
      // Sized now, before anyone approves: the PR number and author are not part of the plan, so
      // the longest realistic ones stand in.
      const fit = approvalRecordFit(
        {
          repository: `${repo.owner}/${repo.repo}`,
          pullRequest: 999_999_999,
          author: "x".repeat(39),
          headSha: head,
          baseSha: mergeBase,
          protectedFiles,
          plan,
        },
        plan.classification.requirement.auto ? 0 : plan.classification.requirement.approvals,
      );
      planned = fit.fits
        ? { kind: "plan", plan, digest, report, protectedFiles }
        : { kind: "final", result: tooLargeToRecordResult(plan, fit, report), outcome: "failure" };
    }
  }
  deps.plans?.set(key, planned);
  return planned;
}
