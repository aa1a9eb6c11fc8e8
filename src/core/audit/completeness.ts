/**
 * Completeness and coverage of a chain, checked record by record in chain order: every intent
 * has exactly one result, everything applied is covered by the approval evidence recorded with it,
 * and a drift revert restores only content an earlier record approved. Holds only the open
 * intents and the approved (key, digest) pairs, so a long chain is checked without keeping it.
 */
import { APPLIED_OUTCOMES } from "./record.js";
import type { AuditObject, AuditRecord } from "./record.js";

export type CompletenessProblemKind = "result-missing" | "result-twice" | "result-orphan" | "uncovered";

export interface CompletenessProblem {
  kind: CompletenessProblemKind;
  message: string;
}

/**
 * Content (not the operation) must match: a deletion needs the key marked deleted; anything else
 * needs a non-deletion of the key with the same, non-empty after-digest (an empty digest would
 * otherwise match a deletion's). Evidence with neither approvers nor auto-approval covers nothing.
 */
function covered(object: AuditObject, record: AuditRecord): boolean {
  return record.approvals.some(
    (approval) =>
      (approval.auto || approval.approvers.length > 0) &&
      approval.changes.some((change) => change.key === object.key && sameContent(object, change)),
  );
}

function sameContent(
  applied: { op: string; digest: string },
  declared: { op: string; digest?: string; afterDigest?: string },
): boolean {
  if (applied.op === "delete") return declared.op === "delete";
  return (
    declared.op !== "delete" &&
    applied.digest !== "" &&
    applied.digest === (declared.afterDigest ?? declared.digest)
  );
}

/** What an open intent needs to check its result (the record itself is not kept). */
interface OpenIntent {
  index: number;
  id: string;
  seq: number;
  hash: string;
  objects: Array<{ key: string; op: string; digest: string }>;
}

export class CompletenessCheck {
  private readonly open = new Map<string, OpenIntent>();
  private readonly closed = new Set<string>();
  /** key -> digests that were approved and applied (or adopted) so far: what a drift revert may restore. */
  private readonly approvedContent = new Map<string, Set<string>>();

  /** Checks the next record of the chain; the first problem found is returned. */
  add(r: AuditRecord, index: number): CompletenessProblem | undefined {
    switch (r.kind) {
      case "intent": {
        const uncovered = r.objects.find((o) => !covered(o, r));
        if (uncovered) {
          return {
            kind: "uncovered",
            message: `${uncovered.op} of ${uncovered.key} (${short(uncovered.digest)}) is not covered by the recorded approval evidence`,
          };
        }
        r.objects.forEach((o) => this.remember(o));
        this.open.set(r.id, {
          index,
          id: r.id,
          seq: r.seq,
          hash: r.hash,
          objects: r.objects.map((o) => ({ key: o.key, op: o.op, digest: o.digest })),
        });
        return undefined;
      }
      case "result": {
        const intentId = r.intent ?? "";
        const intent = this.open.get(intentId);
        if (!intent) {
          return this.closed.has(intentId)
            ? { kind: "result-twice", message: `second result for intent ${intentId}` }
            : {
                kind: "result-orphan",
                message: `result for intent ${intentId || "(none)"}, which is not in the chain before it`,
              };
        }
        this.open.delete(intentId);
        this.closed.add(intentId);
        const declared = new Map(intent.objects.map((o) => [o.key, o]));
        const stray = r.objects.find((o) => {
          if (!o.outcome || !APPLIED_OUTCOMES.includes(o.outcome)) return false;
          const d = declared.get(o.key);
          // An object reported deleted was applied as a deletion, whatever its op says.
          const applied = o.outcome === "deleted" ? { op: "delete", digest: "" } : o;
          return !d || !sameContent(applied, d);
        });
        if (stray) {
          return {
            kind: "uncovered",
            message: `${stray.key} was ${stray.outcome ?? "applied"} but its intent did not declare that content`,
          };
        }
        return undefined;
      }
      case "drift": {
        const stray = r.objects.find(
          (o) => !this.approvedContent.get(o.key)?.has(o.op === "delete" ? "" : o.digest),
        );
        if (stray)
          return {
            kind: "uncovered",
            message: `drift revert of ${stray.key} restored content no earlier record approved`,
          };
        return undefined;
      }
      case "baseline":
        r.objects.forEach((o) => this.remember(o));
        return undefined;
      case "refusal":
        return undefined;
    }
  }

  /** The first intent (in chain order) still without a result. */
  firstOpen(): { index: number; id: string; seq: number; hash: string } | undefined {
    return this.open.values().next().value;
  }

  private remember(o: AuditObject): void {
    const set = this.approvedContent.get(o.key) ?? new Set<string>();
    set.add(o.op === "delete" ? "" : o.digest);
    this.approvedContent.set(o.key, set);
  }
}

export function short(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : "(none)";
}
