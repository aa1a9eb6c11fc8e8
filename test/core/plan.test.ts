import { describe, expect, it } from "vitest";
import type { ChangeSet, Classification } from "../../src/core/model.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import { plan } from "../../src/core/plan.js";
import type { CompiledPolicy } from "../../src/core/ports/policy.js";

const requirement = { approvals: 2, teams: ["org/platform"], users: [], auto: false };
/** A policy fake that marks Secrets high and records what it was asked. */
const policy: CompiledPolicy & { seen: ChangeSet[] } = {
  seen: [],
  digest: "p".repeat(64),
  baseLevel: "low",
  countersignNamespace: "countersign-system",
  requirements: { low: requirement, medium: requirement, high: requirement, critical: requirement },
  classify(changeSet: ChangeSet): Classification {
    this.seen.push(changeSet);
    const changes = changeSet.changes.map((change) => ({
      change,
      level: change.kind === "Secret" ? ("high" as const) : ("low" as const),
      findings: [],
    }));
    return {
      level: changes.some((c) => c.level === "high") ? "high" : "low",
      requirement,
      changes,
      policyDigest: this.digest,
    };
  },
};

describe("plan", () => {
  it("diffs, classifies, and lists head's problems before base's", () => {
    const base = buildManifestSet([
      {
        path: "s.yaml",
        content: "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\ndata: {x: YQ==}\n",
      },
      { path: "bad.yaml", content: "a: [\n" },
      { path: "note.yaml", content: "note: base\n" },
    ]);
    const head = buildManifestSet([
      {
        path: "s.yaml",
        content: "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\ndata: {x: Yg==}\n",
      },
      { path: "worse.yaml", content: "b: {\n" },
      { path: "note.yaml", content: "note: head\n" },
    ]);
    const result = plan(base, head, policy);
    expect(policy.seen).toEqual([result.changeSet]);
    expect(result.changeSet.changes.map((c) => c.key)).toEqual(["/Secret/a/s"]);
    expect(result.classification.level).toBe("high");
    expect(result.errors.map((e) => [e.file, e.side])).toEqual([
      ["worse.yaml", "head"],
      ["bad.yaml", "base"],
    ]);
    // The same skipped document on both sides is listed once.
    expect(result.skipped).toEqual([{ ...head.skipped[0], side: "base and head" }]);
  });

  it("never plans a document the head cannot read as a deletion", () => {
    // The head's copy of the file is broken: its objects are unknown, not deleted.
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: a}\n`;
    const base = buildManifestSet([
      { path: "a.yaml", content: `${cm("one")}---\n${cm("two")}` },
      { path: "gone.yaml", content: cm("three") },
    ]);
    const head = buildManifestSet([{ path: "a.yaml", content: `${cm("one")}---\nkind: [\n` }]);
    const result = plan(base, head, policy);
    expect(result.changeSet.changes.map((c) => [c.op, c.key])).toEqual([["delete", "/ConfigMap/a/three"]]);
    expect(result.errors).toMatchObject([{ file: "a.yaml", side: "head" }]);
  });
});
