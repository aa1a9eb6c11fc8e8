/**
 * Temporary stand-in for the policy engine until src/config/policy-files.ts lands: every change is
 * `low` and needs one approval. Fails closed in the sense that nothing is auto-approved.
 */
import type { Classification, ChangeSet, Requirement, RiskLevel } from "./model.js";
import type { CompiledPolicy } from "./ports/policy.js";
import { sha256Hex } from "./canonical.js";

const requirement: Requirement = { approvals: 1, teams: [], users: [], auto: false };

export const fallbackPolicy: CompiledPolicy = {
  digest: sha256Hex("countersign:fallback-policy"),
  baseLevel: "low",
  requirements: { low: requirement, medium: requirement, high: requirement, critical: requirement } as Record<
    RiskLevel,
    Requirement
  >,
  classify(changeSet: ChangeSet): Classification {
    return {
      level: "low",
      requirement,
      changes: changeSet.changes.map((change) => ({ change, level: "low", findings: [] })),
      policyDigest: this.digest,
    };
  },
};
