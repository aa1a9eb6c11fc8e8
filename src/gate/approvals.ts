/**
 * The gate's side of the approval rules: the verdict on a PR head, read through the evidence port
 * by the core (src/core/approval/gather.ts), with the gate's shared cache of head digests.
 */
import type { ApprovalVerdict } from "../core/approval/evaluate.js";
import type { ApprovalEvidence } from "../core/approval/evidence.js";
import { gatherApproval as gatherCore } from "../core/approval/gather.js";
import type { PullHead } from "../core/approval/gather.js";
import type { Requirement } from "../core/model.js";
import type { RepoConfig } from "../core/repo-config.js";
import type { Lru } from "../github/lru.js";

export interface ApprovalDeps {
  evidence: ApprovalEvidence;
  /** Head SHA -> binding digest, as stored in the app's check runs' `external_id`. */
  digests: Lru<string>;
}

export type PullRequestFacts = PullHead;

/** The approval verdict on the PR head `pr` whose binding digest is `currentDigest`. */
export function gatherApproval(
  deps: ApprovalDeps,
  pr: PullRequestFacts,
  config: RepoConfig,
  requirement: Requirement,
  currentDigest: string,
): Promise<ApprovalVerdict> {
  return gatherCore(deps.evidence, pr, config, requirement, currentDigest, deps.digests);
}
