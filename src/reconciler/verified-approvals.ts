/**
 * PullApprovals through the one approval verifier (src/core/approval/verify.ts): this app's
 * newest check run on the PR head carries the record, the record names this repository, PR and
 * head, and the reviews re-read now still satisfy the current requirement of the record's level.
 * The requirement, agents and extra reviewers come from the repository configuration and policy on
 * the default branch, as the gate reads them.
 */
import type { ApprovalEvidence } from "../core/approval/evidence.js";
import { verifyPullApproval } from "../core/approval/verify.js";
import { describeError } from "../core/error-text.js";
import type { RepoRef } from "../core/ports/revision-reader.js";
import { PolicyError } from "../core/policy/errors.js";
import { RepoConfigError } from "../core/repo-config.js";
import {
  loadRepositoryConfig,
  loadRepositoryPolicy,
  MissingPolicyError,
} from "../config/repository-config.js";
import type { ConfigFileReader } from "../config/repository-config.js";
import type { PolicyEngine } from "../policy-engine/engine.js";
import type { PullApproval, PullApprovals } from "./ports.js";

export interface VerifiedApprovalsDeps {
  evidence: ApprovalEvidence;
  /** This app's id: only its own check runs are evidence. */
  appId: number;
  /** Reads the default branch of `repo`. */
  defaultBranch(repo: RepoRef): ConfigFileReader;
  engine: Pick<PolicyEngine, "compilePolicy">;
}

export class VerifiedPullApprovals implements PullApprovals {
  constructor(private readonly deps: VerifiedApprovalsDeps) {}

  async verify(repo: RepoRef, pullRequest: number): Promise<PullApproval> {
    const reader = this.deps.defaultBranch(repo);
    let loaded;
    let policy;
    try {
      loaded = await loadRepositoryConfig(reader);
      if (loaded.status === "absent") {
        return { ok: false, reason: "the repository has no countersign configuration on its default branch" };
      }
      policy = await loadRepositoryPolicy(reader, loaded.config, this.deps.engine);
    } catch (error) {
      // An invalid configuration or policy approves nothing (fail closed); an unreadable one fails the pass.
      if (
        error instanceof RepoConfigError ||
        error instanceof MissingPolicyError ||
        error instanceof PolicyError
      ) {
        return {
          ok: false,
          reason: `the repository configuration or policy is invalid: ${describeError(error)}`,
        };
      }
      throw error;
    }
    const result = await verifyPullApproval(this.deps.evidence, {
      repo,
      number: pullRequest,
      appId: this.deps.appId,
      requirements: policy.requirements,
      agents: loaded.config.agents,
      reviewers: loaded.config.reviewers,
    });
    return result.ok
      ? { ok: true, record: result.record, checkRunId: result.checkRunId }
      : { ok: false, reason: result.reason };
  }
}
