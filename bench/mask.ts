/**
 * Benchmark section "mask": maskText throughput on hostile and realistic 10 MB inputs, maskObject
 * on workloads, and rendering the markdown/JSON reports of 10,000 changes.
 */
import { createMasker } from "../src/core/mask/masker.js";
import type { Masker } from "../src/core/mask/types.js";
import type { ClassifiedChange, KubeObject, Plan, RiskLevel } from "../src/core/model.js";
import { renderJson } from "../src/core/report/json.js";
import { renderMarkdown } from "../src/core/report/markdown.js";

const SIZE = 10_000_000;

function repeat(unit: string): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
}

const INPUTS: [string, () => string][] = [
  ["10 MB of 'a'", () => repeat("a")],
  ["10 MB of '-----BEGIN '", () => repeat("-----BEGIN ")],
  ["10 MB of 'eyJ'", () => repeat("eyJ")],
  ["10 MB of 'a://'", () => repeat("a://")],
  ["10 MB of 'password='", () => repeat("password=")],
  ["10 MB of ':='", () => repeat(":=")],
  ["10 MB of sensitive env names without values", () => repeat("- name: DB_PASSWORD\n")],
  ["10 MB of empty sensitive block scalars", () => repeat("password: |\n")],
  ["10 MB of unterminated private keys", () => repeat("-----BEGIN PRIVATE KEY-----\n")],
  [
    "10 MB of log lines with a secret each",
    () => repeat("ts=1 level=info msg=login user=bob password=hunter2\n"),
  ],
  ["10 MB of one AWS key id, repeated", () => repeat("AKIAIOSFODNN7EXAMPLE ")],
];

function deployment(i: number, image: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: `app-${i}`,
      namespace: "bench",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: "app",
              image,
              env: [
                { name: "DB_PASSWORD", value: `pw-${i}` },
                { name: "LOG_LEVEL", value: "info" },
              ],
            },
          ],
        },
      },
    },
  };
}

function syntheticPlan(n: number): Plan {
  const levels: RiskLevel[] = ["low", "low", "low", "medium", "high", "critical"];
  const changes: ClassifiedChange[] = [];
  for (let i = 0; i < n; i++) {
    const mk = (image: string) => ({
      key: `apps/Deployment/bench/app-${i}`,
      group: "apps",
      version: "v1",
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "bench",
      name: `app-${i}`,
      object: deployment(i, image),
      digest: "0".repeat(64),
      source: { file: `apps/app-${i}.yaml`, line: 1 },
    });
    const path = "spec.template.spec.containers[name=app].image";
    const level = levels[i % levels.length] as RiskLevel;
    changes.push({
      change: {
        key: `apps/Deployment/bench/app-${i}`,
        op: "update",
        group: "apps",
        kind: "Deployment",
        namespace: "bench",
        name: `app-${i}`,
        before: mk("repo/app:1"),
        after: mk("repo/app:2"),
        fields: [path],
        deltas: [{ path, op: "replace", before: "repo/app:1", after: "repo/app:2" }],
      },
      level,
      findings: [{ rule: "bench", level, reason: `image bump of app-${i}`, path }],
    });
  }
  return {
    changeSet: { changes: changes.map((c) => c.change), unchanged: 0, digest: "0".repeat(64) },
    classification: {
      level: "critical",
      requirement: { approvals: 2, teams: ["org/sre"], users: [], auto: false },
      changes,
      policyDigest: "0".repeat(64),
    },
    skipped: [],
    errors: [],
  };
}

function time<T>(label: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms`);
  return result;
}

function reports(masker: Masker): void {
  const objects = Array.from({ length: 10_000 }, (_, i) => deployment(i, "repo/app:1"));
  time("maskObject 10,000 Deployments", () => objects.forEach((o) => masker.maskObject(o)));
  const plan = syntheticPlan(10_000);
  const md = time("renderMarkdown 10,000 changes", () => renderMarkdown(plan, { masker }));
  console.log(`  markdown length: ${md.length} chars (budget 65,000)`);
  time("renderJson 10,000 changes", () => JSON.stringify(renderJson(plan, { masker })));
}

export async function run(): Promise<void> {
  const masker = createMasker({ fingerprintKey: "bench" });
  reports(masker);
  for (const [name, make] of INPUTS) {
    const text = make();
    const start = performance.now();
    masker.maskText(text);
    const ms = performance.now() - start;
    const mbps = text.length / 1e6 / (ms / 1000);
    console.log(`maskText ${name}: ${ms.toFixed(0)} ms (${mbps.toFixed(1)} MB/s)`);
  }
}
