import { RISK_LEVELS } from "../model.js";
import type { Requirement, RiskLevel } from "../model.js";

/** Position of a level in `low < medium < high < critical`. */
export function levelRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

export function maxLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export function isRiskLevel(value: unknown): value is RiskLevel {
  return typeof value === "string" && (RISK_LEVELS as readonly string[]).includes(value);
}

/** Requirements when a policy names none: low 1, medium 1, high 2, critical 2. */
export const DEFAULT_REQUIREMENTS: Readonly<Record<RiskLevel, Requirement>> = {
  low: { approvals: 1, teams: [], users: [], auto: false },
  medium: { approvals: 1, teams: [], users: [], auto: false },
  high: { approvals: 2, teams: [], users: [], auto: false },
  critical: { approvals: 2, teams: [], users: [], auto: false },
};

/** countersign's own namespace unless the policy or the caller names another. */
export const DEFAULT_COUNTERSIGN_NAMESPACE = "countersign-system";
