/**
 * The gate's orchestration for one pull request head: repository configuration and policy from
 * the default branch, manifests at merge base and head by SHA, plan, protected-file escalation,
 * approval verdict, then the check run and the sticky comment.
 */
import { describeVerdict } from "../core/approval/evaluate.js";
import type { ApprovalEvidence } from "../core/approval/evidence.js";
import { buildApprovalRecord, encodeApprovalRecord } from "../core/approval/record.js";
import { REPO_CONFIG_PATH } from "../core/constants.js";
import { describeError } from "../core/error-text.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import type { Clock } from "../core/ports/clock.js";
import type {
  CheckPublisher,
  CheckResult,
  PullRequestSource,
  RepoRef,
} from "../core/ports/pull-request-source.js";
import { parseRepoConfig, RepoConfigError } from "../core/repo-config.js";
import type { RepoConfig } from "../core/repo-config.js";
import type { Lru } from "../github/lru.js";
import { MissingPolicyError, readRepositoryPolicySources } from "../config/repository-config.js";
import { gatherApproval } from "./approvals.js";
import {
  commentBody,
  evaluationErrorResult,
  invalidConfigResult,
  invalidPolicyResult,
  verdictResult,
} from "./check-output.js";
import type { GateEngine } from "../policy-engine/engine.js";
import { planHead, planKey } from "./plan-head.js";
import type { PlannedHead } from "./plan-head.js";

/** The pino subset the gate logs through. */
export interface GateLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface GateDeps {
  source: PullRequestSource;
  publisher: CheckPublisher;
  /** This app's check runs, reviews, commits and teams: what approvals are verified against. */
  evidence: ApprovalEvidence;
  /** This app's id: only its own check runs speak for a head. */
  appId: number;
  engine: GateEngine;
  /** Head SHA -> change-set digest (shared across events). */
  digests: Lru<string>;
  /** Plans by planKey (shared across events): review events skip re-reading and re-planning. */
  plans?: Lru<PlannedHead>;
  clock: Clock;
  log: GateLog;
}

/** The PR head to evaluate, from the webhook payload. */
export interface PullRequestTarget {
  repo: RepoRef;
  number: number;
  headSha: string;
  baseSha: string;
  author: string;
  /** Accounts known to have pushed to the PR (never approvers, like committers). */
  pushers?: readonly string[];
}

export type EvaluationOutcome =
  | "disabled"
  | "stale"
  | "invalid-config"
  | "invalid-policy"
  | "invalid-manifests"
  | "neutral"
  | "success"
  | "action_required"
  | "failure"
  | "error";

export interface EvaluateOptions {
  /** Update the sticky comment (pull_request events); review events only update the check run. */
  comment: boolean;
  /** False once a newer head of the PR is known: nothing more is published for this one. */
  isCurrent?: () => boolean;
}

type Loaded = { config: RepoConfig } | { result: CheckResult; outcome: EvaluationOutcome };

/** Parses the configuration text read from the default branch; invalid → a failure result. */
export function loadConfig(text: string): Loaded {
  try {
    return { config: parseRepoConfig(text, REPO_CONFIG_PATH) };
  } catch (error) {
    if (error instanceof RepoConfigError) {
      return {
        result: invalidConfigResult(error.file, error.problems, error.message),
        outcome: "invalid-config",
      };
    }
    return {
      result: invalidConfigResult(REPO_CONFIG_PATH, [], describeError(error)),
      outcome: "invalid-config",
    };
  }
}

/** The policy the configuration names, compiled; invalid → a failure result. */
export async function loadPolicy(
  deps: GateDeps,
  repo: RepoRef,
  config: RepoConfig,
): Promise<{ policy: CompiledPolicy } | { result: CheckResult; outcome: EvaluationOutcome }> {
  let sources;
  try {
    sources = await readRepositoryPolicySources(
      {
        readFile: (path) => deps.source.readFileAtDefaultBranch(repo, path),
        readPolicyFiles: (path) => deps.source.readFilesAtDefaultBranch(repo, path),
      },
      config,
    );
  } catch (error) {
    if (!(error instanceof MissingPolicyError)) throw error;
    return {
      result: invalidPolicyResult(`${error.path} does not exist on the default branch`),
      outcome: "invalid-policy",
    };
  }
  try {
    return { policy: await deps.engine.compilePolicy(sources, config.countersignNamespace) };
  } catch (error) {
    return { result: invalidPolicyResult(describeError(error)), outcome: "invalid-policy" };
  }
}

/** Evaluates one PR head and publishes the verdict. Never throws: failures end in a non-success check. */
export async function evaluatePullRequest(
  deps: GateDeps,
  target: PullRequestTarget,
  options: EvaluateOptions,
): Promise<EvaluationOutcome> {
  const { source, publisher, log } = deps;
  const { repo } = target;
  const isCurrent = options.isCurrent ?? (() => true);
  const where = { repository: `${repo.owner}/${repo.repo}`, pull: target.number, head: target.headSha };
  let checkId: number | undefined;
  try {
    const configText = await source.readFileAtDefaultBranch(repo, REPO_CONFIG_PATH);
    if (configText === undefined) {
      log.info(where, `installed but not enabled: no ${REPO_CONFIG_PATH} on the default branch`);
      return "disabled";
    }
    if (!isCurrent()) return "stale";
    // The run is created once the verdict is known, already completed: one write instead of two
    // (GitHub paces writes). Until then the head's previous run stands, as it did between the
    // event and its delivery; a failure on the way still ends in a failing run (below).
    const finish = async (result: CheckResult, outcome: EvaluationOutcome): Promise<EvaluationOutcome> => {
      checkId = await publisher.publishCheck(repo, target.headSha, result);
      return outcome;
    };

    const loaded = loadConfig(configText);
    if ("result" in loaded) return await finish(loaded.result, loaded.outcome);
    const { config } = loaded;
    const compiled = await loadPolicy(deps, repo, config);
    if ("result" in compiled) return await finish(compiled.result, compiled.outcome);
    const { policy } = compiled;

    const mergeBase = await source.mergeBase(repo, target.baseSha, target.headSha);
    const key = planKey(repo, mergeBase, target.headSha, configText, policy);
    const planned = await planHead(deps, repo, config, key, policy, mergeBase, target.headSha);
    // The head gets a new run (and maybe, with a new base, a new digest): its digest is re-read
    // from all its runs once it is an older head (see digestOfHead).
    deps.digests.delete(`${repo.owner}/${repo.repo}@${target.headSha}`);
    if (planned.kind === "final") return await finish(planned.result, planned.outcome);
    const { plan, report } = planned;
    const changeSet = { digest: planned.digest };
    const level = plan.classification.level;
    const verdict = await gatherApproval(
      deps,
      {
        repo,
        number: target.number,
        headSha: target.headSha,
        author: target.author,
        pushers: target.pushers ?? [],
      },
      config,
      plan.classification.requirement,
      changeSet.digest,
    );
    const description = describeVerdict(level, verdict);
    let recordBlock: string | undefined;
    if (verdict.satisfied) {
      const record = buildApprovalRecord({
        repository: `${repo.owner}/${repo.repo}`,
        pullRequest: target.number,
        author: target.author,
        headSha: target.headSha,
        baseSha: mergeBase,
        protectedFiles: planned.protectedFiles,
        plan,
        verdict,
        createdAt: deps.clock.now(),
      });
      recordBlock = encodeApprovalRecord(record);
    }
    const outcome = await finish(
      verdictResult(plan, description, report, changeSet.digest, recordBlock, (t) => deps.engine.maskText(t)),
      description.conclusion,
    );
    if (options.comment && isCurrent())
      await publisher.upsertStickyComment(repo, target.number, commentBody(report));
    // `risk`, not `level`: pino's own numeric `level` is on every line, and log tools read that one.
    log.info({ ...where, risk: level, conclusion: description.conclusion }, "evaluated");
    return outcome;
  } catch (error) {
    // An earlier success on this head must not stand while the verdict is unknown (the read that
    // failed may be the one that would have found a request for changes): publish a failing run.
    if (checkId === undefined) {
      const message = describeError(error);
      log.error({ ...where, error: message }, "evaluation failed");
      if (!isCurrent()) return "error";
      try {
        await publisher.publishCheck(repo, target.headSha, evaluationErrorResult(message));
      } catch (publishError) {
        log.error({ ...where, error: describeError(publishError) }, "could not report the failure");
      }
      return "error";
    }
    await reportEvaluationError(deps, repo, checkId, where, error, "evaluation failed");
    return "error";
  }
}

/**
 * Logs a failed evaluation and completes its check run (when one was started) as a failure naming
 * the error, credentials redacted.
 */
export async function reportEvaluationError(
  deps: Pick<GateDeps, "publisher" | "log">,
  repo: RepoRef,
  checkId: number | undefined,
  where: object,
  error: unknown,
  what: string,
): Promise<void> {
  const message = describeError(error);
  deps.log.error({ ...where, error: message }, what);
  if (checkId === undefined) return;
  try {
    await deps.publisher.completeCheck(repo, checkId, evaluationErrorResult(message));
  } catch (publishError) {
    // The check stays in progress, which is not success either (fail closed).
    deps.log.error({ ...where, error: describeError(publishError) }, "could not report the failure");
  }
}
