/**
 * Benchmark section "policy": the default pack over 10,000 changed objects of mixed kinds with
 * realistic pod specs (issue 3: target < 1 s).
 */
import { performance } from "node:perf_hooks";
import { loadPolicy } from "../src/config/policy-files.js";
import type { Change, ChangeSet, KubeObject, ManifestObject } from "../src/core/model.js";

const COUNT = 10_000;

function manifest(object: KubeObject, i: number): ManifestObject {
  const apiVersion = String(object["apiVersion"]);
  const [group, version] = apiVersion.includes("/")
    ? (apiVersion.split("/") as [string, string])
    : ["", apiVersion];
  const metadata = object["metadata"] as { name: string; namespace?: string };
  const kind = String(object["kind"]);
  const namespace = metadata.namespace ?? "";
  return {
    key: `${group}/${kind}/${namespace}/${metadata.name}`,
    group,
    version,
    apiVersion,
    kind,
    namespace,
    name: metadata.name,
    object,
    digest: i.toString(16).padStart(64, "0"),
    source: { file: `clusters/${i % 3 === 0 ? "prod" : "dev"}/apps/${metadata.name}.yaml`, line: 1 },
  };
}

function podSpec(i: number, tag: string): Record<string, unknown> {
  const env = Array.from({ length: 12 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${i}-${k}` }));
  env.push({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } } as never);
  const container = (name: string) => ({
    name,
    image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/team-${i % 20}/${name}:${tag}`,
    ports: [{ name: "http", containerPort: 8080 }],
    env,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [{ name: "config", mountPath: "/etc/app" }],
  });
  return {
    serviceAccountName: `app-${i % 50}`,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [container("app"), container("sidecar")],
    initContainers: [container("migrate")],
    volumes: [{ name: "config", configMap: { name: `app-${i}` } }],
  };
}

function objectFor(i: number, revision: number): KubeObject {
  const name = `obj-${i}`;
  const namespace = `team-${i % 40}`;
  const labels = {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": `shop-${i % 10}`,
    revision: String(revision),
  };
  const tag = `1.${i % 7}.${revision}`;
  const template = { metadata: { labels }, spec: podSpec(i, tag) };
  switch (i % 20) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace, labels },
        spec: { replicas: 3, template },
      };
    case 7:
      return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name, namespace, labels },
        spec: { replicas: 3, template },
      };
    case 8:
      return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name, namespace, labels },
        spec: { template },
      };
    case 9:
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name, namespace, labels },
        spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } },
      };
    case 10:
    case 11:
    case 12:
      return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace, labels },
        data: { "app.yaml": `revision: ${revision}\n`, LOG_LEVEL: "info" },
      };
    case 13:
    case 14:
      return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, labels },
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    case 15:
      return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace, labels },
        type: "Opaque",
        data: { password: Buffer.from(`p${revision}`).toString("base64") },
      };
    case 16:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name, namespace, labels },
        rules: [
          {
            apiGroups: ["apps"],
            resources: ["deployments"],
            verbs: ["get", "list", "watch", revision > 1 ? "patch" : "update"],
          },
        ],
      };
    case 17:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name, namespace, labels },
        spec: {
          rules: [
            {
              host: `${name}.example.com`,
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      };
    case 18:
      return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name, namespace, labels },
        spec: { minReplicas: 4 - revision, maxReplicas: 10 },
      };
    default:
      return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels } };
  }
}

export function changeSet(): ChangeSet {
  const changes: Change[] = [];
  for (let i = 0; i < COUNT; i++) {
    const before = manifest(objectFor(i, 1), i);
    const after = manifest(objectFor(i, 2), i);
    // Mostly updates, some creations and deletions, as in a large PR.
    const op = i % 50 === 0 ? "create" : i % 97 === 0 ? "delete" : "update";
    const change: Change = {
      key: after.key,
      op,
      group: after.group,
      kind: after.kind,
      namespace: after.namespace,
      name: after.name,
      fields: [],
      deltas: [],
    };
    if (op !== "create") change.before = before;
    if (op !== "delete") change.after = after;
    changes.push(change);
  }
  return { changes, unchanged: 0, digest: "0".repeat(64) };
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  const policy = await loadPolicy();
  const t1 = performance.now();
  const wall: number[] = [];
  const cpu: number[] = [];
  let result = policy.classify(changeSet());
  for (let r = 0; r < 5; r++) {
    // Fresh objects each round, built before the clock starts, so no memoised helper carries over.
    const fresh = changeSet();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    result = policy.classify(fresh);
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const levels: Record<string, number> = {};
  let findings = 0;
  for (const c of result.changes) {
    levels[c.level] = (levels[c.level] ?? 0) + 1;
    findings += c.findings.length;
  }
  console.log(
    `policy: load + compile default pack (${policy.rules.length} rules): ${(t1 - t0).toFixed(0)} ms`,
  );
  console.log(
    `policy: classify ${COUNT} changes (median of 5): ${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU (target < 1000 ms); best ${Math.min(...wall).toFixed(0)} ms wall`,
  );
  console.log(
    `policy: ${findings} findings; changes per level ${JSON.stringify(levels)}; PR level ${result.level}`,
  );
}
