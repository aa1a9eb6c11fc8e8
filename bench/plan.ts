/**
 * Benchmark section "plan": synthetic manifest sets of 1,000 and 10,000 objects (mixed kinds,
 * ~30% changed: updates, creates and deletes), each size measured in its own child process so
 * that peak RSS belongs to that size alone. Prints, per size: a bare `yaml` parse of the same
 * bytes, the plan (parse + digest + diff + classify with the default policy), the read of the
 * same files from a temporary directory, and peak RSS.
 * Targets (issue 2): plan ≤ 2× bare parse; 10,000 objects < 10 s and < 500 MB.
 */
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { loadPolicy } from "../src/config/policy-files.js";
import { buildManifestSet, createManifestParseCache } from "../src/core/manifest-set.js";
import { plan } from "../src/core/plan.js";
import type { SourceFile } from "../src/core/ports/manifest-source.js";
import { resolveLimits } from "../src/core/manifest-limits.js";
import { parseManifestFile } from "../src/core/manifest-parse.js";
import { FsManifestSource } from "../src/repo/fs-source.js";

const SIZES = [1_000, 10_000];
const OBJECTS_PER_FILE = 10;
const CHILD_ENV = "COUNTERSIGN_BENCH_PLAN_SIZE";

function objectYaml(i: number, variant: number): string {
  const ns = `team-${i % 50}`;
  switch (i % 5) {
    case 0:
      return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: shop
spec:
  replicas: ${2 + (i % 3)}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${i}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/app-${i}:1.${variant}.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: REGION
              value: eu-west-1
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
        - name: metrics
          image: ghcr.io/example/metrics:0.9.0
`;
    case 1:
      return `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-${i}
  namespace: ${ns}
data:
  LOG_LEVEL: ${variant === 0 ? "info" : "debug"}
  FEATURE_FLAGS: "a,b,c"
  settings.json: '{"retries": 3, "timeoutSeconds": 30}'
`;
    case 2:
      return `apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  namespace: ${ns}
spec:
  selector:
    app.kubernetes.io/name: app-${i}
  ports:
    - name: http
      port: ${80 + variant}
      targetPort: http
`;
    case 3:
      return `apiVersion: v1
kind: Secret
metadata:
  name: secret-${i}
  namespace: ${ns}
type: Opaque
stringData:
  password: not-a-real-password-${i}-${variant}
`;
    default:
      return `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb-${i}
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${variant === 0 ? "view" : "edit"}
subjects:
  - kind: ServiceAccount
    name: sa-${i}
    namespace: ${ns}
`;
  }
}

/** Base and head of `n` objects: 20% updated, 5% deleted, 5% created (so ~30% of objects change). */
export function syntheticSets(n: number): { base: SourceFile[]; head: SourceFile[] } {
  const baseDocs: string[] = [];
  const headDocs: string[] = [];
  for (let i = 0; i < n; i++) {
    const bucket = i % 20;
    baseDocs.push(objectYaml(i, 0));
    if (bucket === 0) continue; // deleted
    headDocs.push(objectYaml(i, bucket <= 4 ? 1 : 0)); // 4 of 20 updated
  }
  for (let i = n; i < n + n / 20; i++) headDocs.push(objectYaml(i, 0)); // created
  const toFiles = (docs: string[]): SourceFile[] => {
    const files: SourceFile[] = [];
    for (let f = 0; f * OBJECTS_PER_FILE < docs.length; f++) {
      const chunk = docs.slice(f * OBJECTS_PER_FILE, (f + 1) * OBJECTS_PER_FILE);
      files.push({ path: `dir-${f % 37}/file-${f}.yaml`, content: chunk.join("---\n") });
    }
    return files;
  };
  return { base: toFiles(baseDocs), head: toFiles(headDocs) };
}

function bareParse(files: SourceFile[]): number {
  let count = 0;
  for (const file of files)
    for (const doc of parseAllDocuments(file.content)) if (doc.toJS() !== null) count++;
  return count;
}

async function measure(n: number): Promise<Record<string, number>> {
  const { base, head } = syntheticSets(n);
  const bytes = [...base, ...head].reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
  const loaded = await loadPolicy();
  // The same policy, timed: how much of the plan is the policy's classification (issue 3: < 20%).
  let classifyMs = 0;
  const policy: typeof loaded = Object.create(loaded, {
    classify: {
      value: (changeSet: Parameters<typeof loaded.classify>[0]) => {
        const start = performance.now();
        try {
          return loaded.classify(changeSet);
        } finally {
          classifyMs += performance.now() - start;
        }
      },
    },
  });
  // Warm up the JIT on a small set so neither side pays for it alone.
  const warm = syntheticSets(200);
  bareParse([...warm.base, ...warm.head]);
  plan(buildManifestSet(warm.base), buildManifestSet(warm.head), policy);

  // CPU time is reported next to wall time: on a shared machine the wall clock also measures neighbours.
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  let t = performance.now();
  let cpu = process.cpuUsage();
  bareParse([...base, ...head]);
  const parseMs = performance.now() - t;
  const parseCpuMs = cpuMs(cpu);

  t = performance.now();
  cpu = process.cpuUsage();
  // As `countersign plan` does: files identical on both sides are parsed once.
  const cache = createManifestParseCache();
  const baseSet = buildManifestSet(base, { cache });
  const headSet = buildManifestSet(head, { cache });
  const setsMs = performance.now() - t;
  classifyMs = 0;
  const result = plan(baseSet, headSet, policy);
  const planMs = performance.now() - t;
  const planClassifyMs = classifyMs;
  const planCpuMs = cpuMs(cpu);
  if (result.errors.length > 0) throw new Error(`synthetic set has errors: ${result.errors[0]?.message}`);

  // A typical pull request: 5% of the files change (image bumps), the rest are identical.
  const prHead = base.map((f, index) =>
    index % 20 === 0 ? { path: f.path, content: f.content.replace(/:1\.0\.0/g, ":1.1.0") } : f,
  );
  t = performance.now();
  bareParse([...base, ...prHead]);
  const prParseMs = performance.now() - t;
  t = performance.now();
  const prCache = createManifestParseCache();
  const pr = plan(
    buildManifestSet(base, { cache: prCache }),
    buildManifestSet(prHead, { cache: prCache }),
    policy,
  );
  const prPlanMs = performance.now() - t;
  if (pr.errors.length > 0 || pr.changeSet.changes.length === 0) throw new Error("synthetic PR is wrong");

  const dir = await mkdtemp(join(tmpdir(), "countersign-bench-"));
  let fsMs = 0;
  try {
    for (const file of head) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content);
    }
    t = performance.now();
    const read = await new FsManifestSource(dir).read([]);
    fsMs = performance.now() - t;
    if (read.length !== head.length) throw new Error("fs read lost files");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    objects: baseSet.objects.size + headSet.objects.size,
    changes: result.changeSet.changes.length,
    mb: bytes / (1024 * 1024),
    parseMs,
    parseCpuMs,
    prParseMs,
    prPlanMs,
    prChanges: pr.changeSet.changes.length,
    planCpuMs,
    setsMs,
    planMs,
    planClassifyMs,
    fsMs,
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(n: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_ENV]: String(n) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) reject(new Error(`bench child for ${n} objects exited ${code}`));
      else resolve(JSON.parse(line) as Record<string, number>);
    });
  });
}

/** Hostile inputs the parser must refuse or read in bounded time (the tests count work; this times it). */
function hostileInputs(): void {
  const limits = resolveLimits();
  const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v`).join("\n");
  const inputs: [string, string][] = [
    [
      "100,000-key map with a duplicate key",
      `apiVersion: v1\nkind: ConfigMap\ndata:\n${keys}\n  k5: again\n`,
    ],
    ["200,000 aliases", "a: &a [x]\nb: [" + "*a, ".repeat(200_000) + "]\n"],
    ["flow nesting 100,000 deep", "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n"],
  ];
  for (const [name, content] of inputs) {
    const t = performance.now();
    const result = parseManifestFile("hostile.yaml", content, { limits });
    console.log(
      `parse ${name} (${(content.length / 1024 / 1024).toFixed(1)} MB): ${(performance.now() - t).toFixed(0)} ms, ` +
        `${result.errors.length > 0 ? "refused" : "read"}`,
    );
  }
}

export async function run(): Promise<void> {
  hostileInputs();
  for (const n of SIZES) {
    const m = await runChild(n);
    const ratio = (m["planMs"] ?? 0) / (m["parseMs"] ?? 1);
    console.log(
      `plan ${n} objects/side (${m["objects"]} parsed, ${m["changes"]} changes, ${m["mb"]?.toFixed(1)} MB YAML): ` +
        `bare yaml parse ${m["parseMs"]?.toFixed(0)} ms, plan ${m["planMs"]?.toFixed(0)} ms ` +
        `(manifest sets ${m["setsMs"]?.toFixed(0)} ms) = ${ratio.toFixed(2)}× parse [target ≤ 2×]; ` +
        `CPU: parse ${m["parseCpuMs"]?.toFixed(0)} ms, plan ${m["planCpuMs"]?.toFixed(0)} ms; ` +
        `fs read ${m["fsMs"]?.toFixed(0)} ms, peak RSS ${m["rssMb"]?.toFixed(0)} MB` +
        (n === 10_000 ? ` [targets < 10 s, < 500 MB]` : ""),
    );
    console.log(
      `plan ${n} objects/side: policy classification of the ${m["changes"]} changes ${m["planClassifyMs"]?.toFixed(0)} ms ` +
        `= ${((100 * (m["planClassifyMs"] ?? 0)) / (m["planMs"] ?? 1)).toFixed(1)}% of the plan [target < 20%]`,
    );
    console.log(
      `plan ${n} objects/side, typical PR (5% of files changed, ${m["prChanges"]} changes): ` +
        `bare yaml parse of both sides ${m["prParseMs"]?.toFixed(0)} ms, plan ${m["prPlanMs"]?.toFixed(0)} ms ` +
        `= ${((m["prPlanMs"] ?? 0) / (m["prParseMs"] ?? 1)).toFixed(2)}× parse`,
    );
  }
}

if (process.env[CHILD_ENV]) {
  const n = Number(process.env[CHILD_ENV]);
  console.log(JSON.stringify(await measure(n)));
}
