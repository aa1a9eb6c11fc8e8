import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/core/mask/masker.js";
import { renderJson } from "../../../src/core/report/json.js";
import { change, classified, manifest, plan, samplePlan } from "./fixtures.js";

const masker = createMasker({ fingerprintKey: "fixed-test-key" });

describe("renderJson", () => {
  it("renders the sample plan (snapshot)", () => {
    // The machine-readable shape of issue 2, masked.
    expect(renderJson(samplePlan(), { masker })).toMatchSnapshot();
  });

  it("has exactly the fields of issue 2 (and only additions)", () => {
    // Consumers rely on these names and types.
    const report = renderJson(samplePlan(), { masker });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["level", "requirement", "changes", "changeSetDigest", "skipped", "errors"]),
    );
    expect(report.requirement).toEqual({ approvals: 2, teams: ["org/sre"], users: ["alice"], auto: false });
    const first = report.changes[0];
    expect(first).toMatchObject({ key: "/Namespace//legacy", op: "delete", level: "critical", fields: [] });
    expect(first?.findings[0]).toEqual({
      rule: "namespace-deletion",
      level: "critical",
      reason: "deletes Namespace legacy and everything in it",
    });
    expect(report.errors[0]).toMatchObject({ file: "clusters/prod/broken.yaml", line: 7 });
  });

  it.each([
    // Secret data before/after.
    ["b2xkLXB3"],
    ["bmV3LXB3"],
    // Env password, old and new.
    ["old-password"],
    ["hunter2"],
  ])("never contains %s", (secret) => {
    expect(JSON.stringify(renderJson(samplePlan(), { masker }))).not.toContain(secret);
  });

  it("masks delta values in context and keeps harmless ones", () => {
    // The image bump stays readable; the env password becomes a fingerprint.
    const deploy = renderJson(samplePlan(), { masker }).changes.find((c) => c.kind === "Deployment");
    expect(deploy?.deltas[0]?.after).toBe("registry.example.com/web:1.2.4");
    expect(deploy?.deltas[1]?.after).toMatch(/^<masked fp:[0-9a-f]{12}>$/);
  });

  it("hides a delta value it cannot place in the object (fail closed)", () => {
    // A path that does not resolve must not fall back to the raw value.
    const p = samplePlan();
    const secretChange = p.classification.changes.find((c) => c.change.kind === "Secret");
    secretChange?.change.deltas.push({ path: "data[", op: "add", after: "cmF3" });
    const json = JSON.stringify(renderJson(p, { masker }));
    expect(json).not.toContain("cmF3");
  });

  it("masks a credential-shaped object name in key and name", () => {
    // The parser accepts upper case and `_` in names, so an AWS key id can be a name; it stays an
    // ordinary name in the report only when it holds no credential shape.
    const leaked = "AKIAIOSFODNN7EXAMPLE";
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: leaked, namespace: "app" } };
    const ok = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config", namespace: "app" } };
    const p = plan([
      classified(change("create", undefined, manifest(object, "a.yaml", 1)), "low"),
      classified(change("create", undefined, manifest(ok, "b.yaml", 1)), "low"),
    ]);
    const report = renderJson(p, { masker });
    expect(JSON.stringify(report)).not.toContain(leaked);
    expect(report.changes[0]?.name).toMatch(/^<masked fp:[0-9a-f]{12}>$/);
    expect(report.changes[1]).toMatchObject({ key: "/ConfigMap/app/web-config", name: "web-config" });
  });

  it("carries the PR-level findings, masked", () => {
    // Machines (agents, CI) must see why a PR with no object changes is critical.
    const p = samplePlan();
    p.classification.pullRequestFindings = [
      {
        rule: "protected-file",
        level: "critical",
        reason: "token ghp_" + "x".repeat(36),
        path: ".github/countersign.yml",
      },
    ];
    const report = renderJson(p, { masker });
    expect(report.pullRequestFindings).toHaveLength(1);
    expect(report.pullRequestFindings[0]).toMatchObject({
      rule: "protected-file",
      path: ".github/countersign.yml",
    });
    expect(report.pullRequestFindings[0]?.reason).not.toContain("x".repeat(36));
    expect(renderJson(samplePlan(), { masker }).pullRequestFindings).toEqual([]);
  });
});
