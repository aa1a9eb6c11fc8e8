import { describe, expect, it } from "vitest";
import { createMasker } from "../../src/core/mask/masker.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import { invalidManifestsResult, riskAnnotations } from "../../src/gate/check-output.js";
import { change, classified, manifest, plan } from "../core/report/fixtures.js";

describe("riskAnnotations", () => {
  // A finding's reason can quote an object's value; the annotation is masked as the report is.
  it("masks credentials quoted in a finding's reason", () => {
    const token = `ghp_${"a1B2c3D4e5".repeat(3)}123456`;
    const deployment = manifest(
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" } },
      "clusters/prod/web.yaml",
      7,
    );
    const finding = { rule: "example", level: "high" as const, reason: `runs with --token=${token}` };
    const annotations = riskAnnotations(
      plan([classified(change("create", undefined, deployment), "high", [finding])]),
      (text) => createMasker({ fingerprintKey: "k" }).maskText(text),
    );
    expect(annotations).toHaveLength(1);
    expect(annotations[0]?.message).toContain("runs with --token=");
    expect(annotations[0]?.message).not.toContain(token);
    expect(annotations[0]?.startLine).toBe(7);
  });

  it("masks a credential-shaped object name in the annotation's title", () => {
    const token = `ghp_${"a1B2c3D4e5".repeat(3)}123456`;
    const role = manifest(
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: token } },
      "clusters/prod/role.yaml",
      3,
    );
    const annotations = riskAnnotations(
      plan([classified(change("create", undefined, role), "high", [])]),
      (text) => createMasker({ fingerprintKey: "k" }).maskText(text),
    );
    expect(annotations[0]?.title).toMatch(/^high risk: create /);
    expect(JSON.stringify(annotations)).not.toContain(token);
  });
});

describe("invalidManifestsResult", () => {
  // A parse error can quote what it rejects (`invalid apiVersion "…"`): listed and annotated masked.
  it("masks credentials quoted in manifest errors", () => {
    const token = `ghp_${"a1B2c3D4e5".repeat(3)}123456`;
    const set = buildManifestSet([
      {
        path: "clusters/prod/bad.yaml",
        content: `apiVersion: acme.io/${token}/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: apps\n`,
      },
    ]);
    expect(set.errors[0]?.message).toContain(token);
    const result = invalidManifestsResult(set.errors, (text) =>
      createMasker({ fingerprintKey: "k" }).maskText(text),
    );
    expect(result.conclusion).toBe("failure");
    expect(result.summary).toContain("`clusters/prod/bad.yaml`:1: invalid apiVersion");
    expect(result.annotations[0]?.message).toContain("invalid apiVersion");
    expect(JSON.stringify(result)).not.toContain(token);
  });
});
