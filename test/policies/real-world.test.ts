import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPlan } from "../../src/cli/plan.js";

/**
 * Upgrades of well-known projects (test/fixtures/real-world, unmodified upstream manifests), planned
 * with the default pack, and the verdicts a careful reviewer gives: paperwork is low, power is not.
 */
const corpus = join(import.meta.dirname, "../fixtures/real-world");

interface Row {
  key: string;
  op: string;
  level: string;
  fields: string[];
  findings: { rule: string; level: string }[];
}
interface Report {
  level: string;
  changes: Row[];
  errors: unknown[];
}

let empty: string;
beforeAll(async () => {
  process.env["COUNTERSIGN_FINGERPRINT_KEY"] = "test-fingerprint-key";
  empty = await mkdtemp(join(tmpdir(), "countersign-empty-"));
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

async function planOf(base: string, head: string): Promise<Report> {
  const result = await runPlan({ base, head, output: "json" });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

const upgrade = (project: string, from: string, to: string) =>
  planOf(join(corpus, project, from), join(corpus, project, to));

const row = (report: Report, key: string): Row => {
  const found = report.changes.find((c) => c.key === key);
  if (found === undefined) throw new Error(`no change ${key}`);
  return found;
};

const risky = (report: Report) =>
  report.changes.filter((c) => c.level === "high" || c.level === "critical").map((c) => c.key);

/** High or critical rows whose only differences are labels, annotations or descriptions: noise. */
const noise = (report: Report) =>
  report.changes.filter(
    (c) =>
      (c.level === "high" || c.level === "critical") &&
      c.op === "update" &&
      c.fields.every((f) => f.startsWith("metadata.") || f.endsWith(".description")),
  );

describe("real-world upgrades", () => {
  it("ingress-nginx 1.14.4 → 1.14.5: a patch release that relabels everything is low", async () => {
    const report = await upgrade("ingress-nginx", "v1.14.4", "v1.14.5");
    expect(report.errors).toEqual([]);
    // Was critical: the admission webhook's version label changed.
    expect(
      row(report, "admissionregistration.k8s.io/ValidatingWebhookConfiguration//ingress-nginx-admission")
        .level,
    ).toBe("low");
    expect(risky(report)).toEqual([]);
    expect(report.level).toBe("low");
  });

  it("cert-manager 1.14.4 → 1.18.0: new cluster-wide powers are high, relabelled webhooks and reworded CRDs are not", async () => {
    const report = await upgrade("cert-manager", "v1.14.4", "v1.18.0");
    expect(noise(report)).toEqual([]);
    for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"])
      expect(row(report, `admissionregistration.k8s.io/${kind}//cert-manager-webhook`).level).toBe("low");
    // New ClusterRoles that read every Secret, and create solver pods in any namespace.
    expect(risky(report)).toEqual([
      "rbac.authorization.k8s.io/ClusterRole//cert-manager-dns01-controller-challenges",
      "rbac.authorization.k8s.io/ClusterRole//cert-manager-http01-controller-challenges",
    ]);
    // A token for its own service account only (resourceNames): worth a look, not "any account".
    const token = row(report, "rbac.authorization.k8s.io/Role/cert-manager/cert-manager-tokenrequest");
    expect([token.level, token.findings.map((f) => f.rule)]).toEqual(["medium", ["rbac-named-grant"]]);
    // Schema additions without tightening are medium; description-only CRDs are low.
    expect(
      row(report, "apiextensions.k8s.io/CustomResourceDefinition//certificates.cert-manager.io").level,
    ).toBe("medium");
    expect(
      row(report, "apiextensions.k8s.io/CustomResourceDefinition//certificaterequests.cert-manager.io").level,
    ).toBe("low");
    expect(report.level).toBe("high");
  });

  it("kube-prometheus 0.13 → 0.14: tightened schemas and a registry switch are high, the rest is not", async () => {
    const report = await upgrade("kube-prometheus", "v0.13.0", "v0.14.0");
    expect(noise(report)).toEqual([]);
    // Was critical: only the version label of the APIService changed.
    expect(row(report, "apiregistration.k8s.io/APIService//v1beta1.metrics.k8s.io").level).toBe("low");
    expect(
      row(report, "apiextensions.k8s.io/CustomResourceDefinition//prometheusrules.monitoring.coreos.com")
        .level,
    ).toBe("low");
    expect(
      row(report, "apiextensions.k8s.io/CustomResourceDefinition//podmonitors.monitoring.coreos.com").level,
    ).toBe("medium");
    // Fields removed from the schema are pruned from stored objects.
    const alertmanagers = row(
      report,
      "apiextensions.k8s.io/CustomResourceDefinition//alertmanagers.monitoring.coreos.com",
    );
    expect(alertmanagers.findings.map((f) => f.rule)).toContain("crd-schema-tightened");
    expect(risky(report)).toEqual([
      "apiextensions.k8s.io/CustomResourceDefinition//alertmanagers.monitoring.coreos.com",
      "apps/Deployment/monitoring/blackbox-exporter",
    ]);
    // configmap-reloader moves from docker.io to ghcr.io.
    expect(row(report, "apps/Deployment/monitoring/blackbox-exporter").findings.map((f) => f.rule)).toContain(
      "image-registry-changed",
    );
    for (const c of report.changes.filter((c) => c.key.includes("NetworkPolicy")))
      expect(c.level).not.toBe("high");
  });

  it("kube-prometheus fresh install: new NetworkPolicies restrict, the APIService and RBAC are judged by power", async () => {
    const report = await planOf(empty, join(corpus, "kube-prometheus", "v0.14.0"));
    const policies = report.changes.filter((c) => c.key.startsWith("networking.k8s.io/NetworkPolicy/"));
    expect(policies.length).toBeGreaterThan(5);
    // Only the adapter's policy lets every peer in on every port (the API server must reach it).
    expect(policies.filter((c) => c.level !== "low").map((c) => [c.key, c.level])).toEqual([
      ["networking.k8s.io/NetworkPolicy/monitoring/prometheus-adapter", "high"],
    ]);
    expect(row(report, "apiregistration.k8s.io/APIService//v1beta1.metrics.k8s.io").level).toBe("critical");
    expect(report.level).toBe("critical");
  });
});
