import type { PolicyIssue } from "./types.js";

/** Thrown when a policy is invalid: the caller gets every issue, never a silently weaker policy. */
export class PolicyError extends Error {
  readonly issues: PolicyIssue[];

  constructor(issues: PolicyIssue[], options?: { cause?: unknown }) {
    super(`invalid policy: ${issues.length} issue(s)\n${issues.map(formatIssue).join("\n")}`, options);
    this.name = "PolicyError";
    this.issues = issues;
  }
}

/** `file: rule "x": field y: message` — the form used by the CLI. */
export function formatIssue(issue: PolicyIssue): string {
  const parts = [issue.file];
  if (issue.rule !== undefined) parts.push(`rule "${issue.rule}"`);
  if (issue.field !== undefined) parts.push(`field ${issue.field}`);
  return `${parts.join(": ")}: ${issue.message}`;
}
