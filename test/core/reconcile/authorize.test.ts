import { describe, expect, it } from "vitest";
import type { ApprovalRecord, RiskLevel } from "../../../src/core/model.js";
import { authorize } from "../../../src/core/reconcile/authorize.js";
import type { HistoryGroup, PullApproval } from "../../../src/core/reconcile/authorize.js";
import type { DesiredChange } from "../../../src/core/reconcile/desired-changes.js";

const A = "/ConfigMap/apps/a";
const D1 = "1".repeat(64);
const D2 = "2".repeat(64);
const scope = { ownNamespace: "countersign-system", namespaces: [], kinds: [] };

const change = (key: string, digest: string, op: DesiredChange["op"] = "update"): DesiredChange => ({
  key,
  op,
  apiVersion: "v1",
  digest,
});
const pull = (n: number, touched: Record<string, string>): HistoryGroup => ({
  pullRequest: n,
  commits: [`c${n}`],
  touched: new Map(Object.entries(touched)),
});
const push = (sha: string, touched: Record<string, string>): HistoryGroup => ({
  commits: [sha],
  touched: new Map(Object.entries(touched)),
});
const approved = (n: number, changes: [string, string, RiskLevel?][]): [number, PullApproval] => [
  n,
  {
    ok: true,
    checkRunId: n,
    record: {
      pullRequest: n,
      changes: changes.map(([key, afterDigest, level]) => ({
        key,
        op: afterDigest === "" ? "delete" : "update",
        afterDigest,
        level: level ?? "low",
      })),
    } as unknown as ApprovalRecord,
  },
];

describe("authorize (the reconciler rule)", () => {
  it.each([
    // the latest toucher is an approved PR covering D's content
    ["covered by the last PR", [pull(1, { [A]: D1 })], [approved(1, [[A, D1]])], change(A, D1), true, ""],
    // a direct push last touched it
    [
      "last touched by a push",
      [pull(1, { [A]: D1 }), push("abc", { [A]: D2 })],
      [approved(1, [[A, D1]])],
      change(A, D2),
      false,
      "direct push",
    ],
    // an old approval of the same content does not help once a later change replaced it
    [
      "no resurrection",
      [pull(1, { [A]: D1 }), pull(2, { [A]: D2 }), push("abc", { [A]: D1 })],
      [approved(1, [[A, D1]]), approved(2, [[A, D2]])],
      change(A, D1),
      false,
      "direct push",
    ],
    // the PR's record holds other content (a textual merge)
    [
      "content differs",
      [pull(1, { [A]: D2 })],
      [approved(1, [[A, D1]])],
      change(A, D2),
      false,
      "approved content differs",
    ],
    // a deletion needs the deletion approved
    [
      "deletion approved",
      [pull(1, { [A]: "" })],
      [approved(1, [[A, ""]])],
      change(A, "", "delete"),
      true,
      "",
    ],
    [
      "deletion not approved",
      [pull(1, { [A]: "" })],
      [approved(1, [[A, D1]])],
      change(A, "", "delete"),
      false,
      "deletion was not approved",
    ],
    // nothing in the window touched it: fail closed
    ["untouched", [], [], change(A, D1), false, "no commit since the last applied one"],
    // the PR's approval does not verify now
    [
      "unverified",
      [pull(1, { [A]: D1 })],
      [[1, { ok: false, reason: "review dismissed" }] as [number, PullApproval]],
      change(A, D1),
      false,
      "review dismissed",
    ],
  ])("%s", (_name, groups, approvals, c, ok, reason) => {
    const result = authorize({ changes: [c], groups, approvals: new Map(approvals), scope });
    expect(result.authorized).toBe(ok);
    if (!ok) expect(result.uncovered[0]?.reason).toContain(reason);
  });

  it("reports superseded unapproved groups even when the content is covered", () => {
    const result = authorize({
      changes: [change(A, D2)],
      groups: [push("abc1234", { [A]: D1 }), pull(2, { [A]: D2 })],
      approvals: new Map([approved(2, [[A, D2]])]),
      scope,
    });
    expect(result.authorized).toBe(true);
    expect(result.unapproved).toEqual([
      { commit: "abc1234", reason: expect.stringContaining("direct push") },
    ]);
  });

  it("needs critical level for the reconciler's own namespace", () => {
    const own = "/ConfigMap/countersign-system/x";
    const high = authorize({
      changes: [change(own, D1)],
      groups: [pull(1, { [own]: D1 })],
      approvals: new Map([approved(1, [[own, D1, "high"]])]),
      scope,
    });
    expect(high.uncovered[0]?.reason).toContain("critical level (approved at high)");
    const critical = authorize({
      changes: [change(own, D1)],
      groups: [pull(1, { [own]: D1 })],
      approvals: new Map([approved(1, [[own, D1, "critical"]])]),
      scope,
    });
    expect(critical.authorized).toBe(true);
  });

  it("never authorizes what manage.kinds leaves out", () => {
    const result = authorize({
      changes: [change(A, D1)],
      groups: [pull(1, { [A]: D1 })],
      approvals: new Map([approved(1, [[A, D1, "critical"]])]),
      scope: { ...scope, kinds: ["apps/Deployment"] },
    });
    expect(result.uncovered[0]?.reason).toContain("manage.kinds");
  });
});
