import type { ApprovalRecord, Operation } from "../model.js";

/** One change to be covered: its key, operation, and after-content digest ("" for deletions). */
export interface CoverageChange {
  key: string;
  op: Operation;
  afterDigest: string;
}

export interface CoverageResult {
  /** Keys covered by at least one record, sorted. */
  covered: string[];
  /** Changes no record covers, sorted by key, each with the reason. */
  uncovered: { key: string; reason: string }[];
}

function short(digest: string): string {
  return digest.slice(0, 12);
}

/**
 * Which changes the given (already verified) approval records cover (docs/approval.md "Merge queues"): a change
 * is covered when a record holds the same key with the same after-digest; a deletion when a record
 * holds the key marked deleted. The operation is otherwise kept for display only: content decides.
 */
export function coverage(changes: CoverageChange[], records: ApprovalRecord[]): CoverageResult {
  const recorded = new Map<string, { deleted: boolean; digests: Set<string> }>();
  for (const record of records) {
    for (const c of record.changes) {
      const entry = recorded.get(c.key) ?? { deleted: false, digests: new Set<string>() };
      if (c.op === "delete") entry.deleted = true;
      else if (c.afterDigest !== "") entry.digests.add(c.afterDigest);
      recorded.set(c.key, entry);
    }
  }
  const covered = new Set<string>();
  const uncovered = new Map<string, string>();
  for (const change of changes) {
    const entry = recorded.get(change.key);
    let reason: string | undefined;
    if (entry === undefined) {
      reason = "no approval record holds this object";
    } else if (change.op === "delete") {
      if (!entry.deleted) reason = "approved content exists, but its deletion was not approved";
    } else if (change.afterDigest === "") {
      reason = "the change has no content digest";
    } else if (!entry.digests.has(change.afterDigest)) {
      reason =
        entry.digests.size > 0
          ? `approved content differs (approved ${[...entry.digests].map(short).sort().join(", ")}; now ${short(change.afterDigest)})`
          : "only its deletion was approved";
    }
    // A key listed twice must be covered both times: one uncovered occurrence wins (fail closed).
    if (reason === undefined) {
      if (!uncovered.has(change.key)) covered.add(change.key);
    } else {
      covered.delete(change.key);
      if (!uncovered.has(change.key)) uncovered.set(change.key, reason);
    }
  }
  const sortStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    covered: [...covered].sort(sortStr),
    uncovered: [...uncovered.entries()]
      .sort(([a], [b]) => sortStr(a, b))
      .map(([key, reason]) => ({ key, reason })),
  };
}

/** A protected file a merge group changes, and its blob at the group's head (null: deleted). */
export interface ProtectedChange {
  path: string;
  blob: string | null;
}

/**
 * The protected files (configuration, policy) a merge group changes that no record covers: a file
 * is covered when a record approved at level critical binds the same blob for it (or its deletion).
 * Two PRs editing the configuration differently merge into content nobody approved.
 */
export function protectedCoverage(
  files: readonly ProtectedChange[],
  records: readonly ApprovalRecord[],
): { key: string; reason: string }[] {
  const approved = new Set<string>();
  for (const record of records) {
    if (record.level !== "critical") continue;
    for (const f of record.protectedFiles) approved.add(`${f.path}\n${f.blob ?? ""}`);
  }
  return files
    .filter((f) => !approved.has(`${f.path}\n${f.blob ?? ""}`))
    .map((f) => ({
      key: f.path,
      reason: "countersign configuration or policy: no critical approval of the group holds this content",
    }));
}
