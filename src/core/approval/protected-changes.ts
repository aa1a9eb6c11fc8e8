import type { Finding, Plan, Requirement } from "../model.js";
import { protectedPathOf } from "../repo-config.js";
import type { RepoConfig } from "../repo-config.js";

/** Rule name of the PR-level finding raised for a change to a protected file. */
export const PROTECTED_FILE_RULE = "protected-file";

/**
 * A PR that changes the repository configuration or the repository policy is itself critical
 * (docs/approval.md): returns a new Plan at level critical with the given requirement and one PR-level
 * finding per protected file changed. Returns `plan` unchanged when no protected file is touched.
 * `changedFiles` must hold every path the PR touches, including the old path of a rename.
 */
export function escalateForProtectedFiles(
  plan: Plan,
  changedFiles: string[],
  config: RepoConfig,
  criticalRequirement: Requirement,
): Plan {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const file of changedFiles) {
    const protectedPath = protectedPathOf(config, file);
    if (protectedPath === undefined || seen.has(file)) continue;
    seen.add(file);
    const what =
      protectedPath === config.file ? "the countersign repository configuration" : "the countersign policy";
    findings.push({
      rule: PROTECTED_FILE_RULE,
      level: "critical",
      reason: `changes ${file}, ${what}: such a PR is always critical`,
      path: file,
    });
  }
  if (findings.length === 0) return plan;
  findings.sort((a, b) => ((a.path ?? "") < (b.path ?? "") ? -1 : 1));
  return {
    ...plan,
    classification: {
      ...plan.classification,
      level: "critical",
      requirement: criticalRequirement,
      pullRequestFindings: [...(plan.classification.pullRequestFindings ?? []), ...findings],
    },
  };
}
