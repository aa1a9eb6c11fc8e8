/**
 * Merge queues: a merge group's managed content must be covered by the approval records of the
 * PRs in it (docs/approval.md "Merge queues"), otherwise the check fails naming the uncovered objects.
 */
import { protectedFileStates } from "../core/approval/binding.js";
import { coverage, protectedCoverage } from "../core/approval/coverage.js";
import { verifyPullApproval } from "../core/approval/verify.js";
import { diffManifestSets } from "../core/change-set.js";
import { REPO_CONFIG_PATH } from "../core/constants.js";
import { protectedPathOf } from "../core/repo-config.js";
import type { ApprovalRecord } from "../core/model.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import type { CheckResult, RepoRef } from "../core/ports/pull-request-source.js";
import type { RepoConfig } from "../core/repo-config.js";
import { evaluationErrorResult, invalidManifestsResult, noManagedChangeResult } from "./check-output.js";
import { loadConfig, loadPolicy, reportEvaluationError } from "./evaluate.js";
import type { EvaluationOutcome, GateDeps } from "./evaluate.js";
import { readPullRequestContent } from "../manifests/read-pull-request-content.js";

/** Commits of a group looked at for their PRs; a longer group fails closed. */
const MAX_GROUP_COMMITS = 100;
const MAX_LISTED = 50;

export interface MergeGroupTarget {
  repo: RepoRef;
  headSha: string;
  baseSha: string;
}

/**
 * The approval records of `numbers` that hold now, through the one verifier (the reconciler trusts
 * records the same way), and why the others do not.
 */
async function recordsOf(
  deps: GateDeps,
  repo: RepoRef,
  numbers: number[],
  config: RepoConfig,
  policy: CompiledPolicy,
): Promise<{ records: ApprovalRecord[]; refused: string[] }> {
  const records: ApprovalRecord[] = [];
  const refused: string[] = [];
  for (const number of numbers) {
    const result = await verifyPullApproval(deps.evidence, {
      repo,
      number,
      appId: deps.appId,
      requirements: policy.requirements,
      agents: config.agents,
      reviewers: config.reviewers,
    });
    if (result.ok) records.push(result.record);
    else refused.push(result.reason);
  }
  return { records, refused };
}

/** Evaluates a merge group and publishes the check run on its head. Never throws. */
export async function evaluateMergeGroup(
  deps: GateDeps,
  target: MergeGroupTarget,
): Promise<EvaluationOutcome> {
  const { source, publisher, log } = deps;
  const { repo } = target;
  const where = { repository: `${repo.owner}/${repo.repo}`, mergeGroup: target.headSha };
  let checkId: number | undefined;
  try {
    const configText = await source.readFileAtDefaultBranch(repo, REPO_CONFIG_PATH);
    if (configText === undefined) {
      log.info(where, `installed but not enabled: no ${REPO_CONFIG_PATH} on the default branch`);
      return "disabled";
    }
    checkId = await publisher.startCheck(repo, target.headSha);
    const finish = async (result: CheckResult, outcome: EvaluationOutcome): Promise<EvaluationOutcome> => {
      await publisher.completeCheck(repo, checkId as number, result);
      return outcome;
    };
    const loaded = loadConfig(configText);
    if ("result" in loaded) return await finish(loaded.result, loaded.outcome);
    // Keyed like the PRs' plans, so a Secret's digest in the group equals the one its record binds.
    const content = await readPullRequestContent(
      source,
      repo,
      loaded.config,
      target.baseSha,
      target.headSha,
      deps.engine.secretDigestKey,
    );
    if (content.head.errors.length > 0) {
      return await finish(
        invalidManifestsResult(content.head.errors, (t) => deps.engine.maskText(t)),
        "invalid-manifests",
      );
    }
    const changeSet = diffManifestSets(content.base, content.head);
    const protectedChanged = content.changedFiles.filter(
      (file) => protectedPathOf(loaded.config, file) !== undefined,
    );
    if (changeSet.changes.length === 0 && protectedChanged.length === 0) {
      return await finish(
        noManagedChangeResult(content.changedFiles.length, content.changedManifests.length),
        "neutral",
      );
    }
    const commits = await source.commitsBetween(repo, target.baseSha, target.headSha);
    if (commits.length > MAX_GROUP_COMMITS) {
      return await finish(
        evaluationErrorResult(
          `the merge group has ${commits.length} commits, more than ${MAX_GROUP_COMMITS}`,
        ),
        "failure",
      );
    }
    const numbers = new Set<number>();
    for (const sha of commits) for (const n of await source.pullsForCommit(repo, sha)) numbers.add(n);
    // The requirements of the levels, as the PRs' approvals are re-checked against them now.
    const compiled = await loadPolicy(deps, repo, loaded.config);
    if ("result" in compiled) return await finish(compiled.result, compiled.outcome);
    const { records, refused } = await recordsOf(
      deps,
      repo,
      [...numbers].sort((a, b) => a - b),
      loaded.config,
      compiled.policy,
    );
    const result = coverage(
      changeSet.changes.map((c) => ({ key: c.key, op: c.op, afterDigest: c.after?.digest ?? "" })),
      records,
    );
    const protectedUncovered = protectedCoverage(
      protectedFileStates(loaded.config, protectedChanged, content.changedHeadBlobs),
      records,
    );
    if (protectedUncovered.length > 0) {
      result.uncovered = [...protectedUncovered, ...result.uncovered];
    }
    const prs = [...numbers].map((n) => `#${n}`).join(", ") || "none";
    if (result.uncovered.length === 0) {
      return await finish(
        {
          conclusion: "success",
          title: `merge group covered by ${records.length} approval record${records.length === 1 ? "" : "s"}`,
          summary: `Every change in this merge group (${covered(changeSet.changes.length, protectedChanged.length)}) is covered by the approval records of ${prs}.`,
          annotations: [],
        },
        "success",
      );
    }
    const listed = result.uncovered.slice(0, MAX_LISTED).map((u) => `- \`${u.key}\`: ${u.reason}`);
    if (result.uncovered.length > MAX_LISTED)
      listed.push(`- … and ${result.uncovered.length - MAX_LISTED} more`);
    return await finish(
      {
        conclusion: "failure",
        title: `${result.uncovered.length} object${result.uncovered.length === 1 ? "" : "s"} not covered by an approval`,
        summary: [
          `The merge group changes content that no approval record of its pull requests (${prs}) covers:`,
          "",
          ...listed,
          ...(refused.length === 0
            ? []
            : [
                "",
                "Pull requests whose approval does not hold:",
                "",
                ...refused.slice(0, MAX_LISTED).map((r) => `- ${r.replace(/[`\r\n]/g, "?")}`),
              ]),
        ].join("\n"),
        annotations: [],
      },
      "failure",
    );
  } catch (error) {
    await reportEvaluationError(deps, repo, checkId, where, error, "merge group evaluation failed");
    return "error";
  }
}

/** `3 object changes and 1 protected file`: what a covered merge group changed. */
function covered(objects: number, protectedFiles: number): string {
  const parts = [`${objects} object change${objects === 1 ? "" : "s"}`];
  if (protectedFiles > 0) parts.push(`${protectedFiles} protected file${protectedFiles === 1 ? "" : "s"}`);
  return parts.join(" and ");
}
