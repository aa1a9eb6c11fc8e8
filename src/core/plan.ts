import { diffManifestSets } from "./change-set.js";
import type { ManifestSet, Plan } from "./model.js";
import type { CompiledPolicy } from "./ports/policy.js";

/**
 * The plan of a change: the change set between base and head, classified by the policy, with the
 * skipped documents and input errors of both sides (head's first, since that is what is proposed).
 */
export function plan(base: ManifestSet, head: ManifestSet, policy: CompiledPolicy): Plan {
  const changeSet = diffManifestSets(base, head);
  return {
    changeSet,
    classification: policy.classify(changeSet),
    skipped: [...head.skipped, ...base.skipped],
    errors: [...head.errors, ...base.errors],
  };
}
