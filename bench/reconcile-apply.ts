/**
 * Benchmark section "reconcile-apply": server-side apply of 500 objects to the fake API server
 * answering every request after 5 ms, one at a time vs bounded concurrency (8, the reconciler's
 * default), through the production client configuration (keep-alive pool, 3 attempts, discovery
 * cache). Target: concurrency ≥ 5× faster. Also the re-apply of the same 500 (all unchanged).
 * The fake server runs in its own process, as a real API server would: its CPU is not the client's.
 */
import { KubeClusterApplier } from "../src/kube/cluster-applier.js";
import { createKubeClient } from "../src/kube/client.js";
import type { KubeObject } from "../src/core/model.js";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";

const OBJECTS = 500;
const LATENCY_MS = 5;
const CONCURRENCY = 8;

function objects(namespace: string): KubeObject[] {
  return Array.from({ length: OBJECTS }, (_, i) =>
    i % 2 === 0
      ? {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${i}`, namespace },
          data: { index: String(i) },
        }
      : {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: `app-${i}`, namespace, labels: { app: `app-${i}` } },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: `app-${i}` } },
            template: {
              metadata: { labels: { app: `app-${i}` } },
              spec: { containers: [{ name: "app", image: `registry.example/app:${i}` }] },
            },
          },
        },
  );
}

/** Runs `work` over `items` with at most `limit` in flight (the reconciler's apply pattern). */
async function bounded<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function startFakeServer(): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const file = new URL("../test/support/fake-kube-api-process.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    env: { ...process.env, FAKE_KUBE_LATENCY_MS: String(LATENCY_MS) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    lines.close();
    return { child, kubeconfig: (JSON.parse(line) as { kubeconfig: string }).kubeconfig };
  }
  throw new Error("the fake API server process ended before listening");
}

interface Figures {
  ms: number;
  requests: number;
  /** This process's CPU time (the client's; the fake server runs in its own process). */
  cpuMs: number;
}

async function measure(concurrency: number, reapply: boolean): Promise<Figures> {
  const { child, kubeconfig } = await startFakeServer();
  const client = createKubeClient({ access: { mode: "kubeconfig", kubeconfig } });
  try {
    const applier = new KubeClusterApplier(client);
    await applier.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } },
      { dryRun: false, force: false },
    );
    // Warm both processes up (JIT, transpiling, connections) on other objects first.
    await applier.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "warm-up" } },
      { dryRun: false, force: false },
    );
    await bounded(objects("warm-up").slice(0, 100), CONCURRENCY, (o) =>
      applier.apply(o, { dryRun: false, force: false }),
    );
    const batch = objects("bench");
    if (reapply) await bounded(batch, CONCURRENCY, (o) => applier.apply(o, { dryRun: false, force: false }));
    const before = client.requestCount;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await bounded(batch, concurrency, (o) => applier.apply(o, { dryRun: false, force: false }));
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { ms, requests: client.requestCount - before, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    client.close();
    child.kill("SIGTERM");
  }
}

export async function run(): Promise<void> {
  const serial = await measure(1, false);
  const parallel = await measure(CONCURRENCY, false);
  const unchanged = await measure(CONCURRENCY, true);
  const line = (label: string, r: Figures) =>
    console.log(
      `${label.padEnd(44)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.requests} requests (${(r.requests / OBJECTS).toFixed(2)}/object)  client CPU ${r.cpuMs.toFixed(0)} ms`,
    );
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(`apply ${OBJECTS} objects, fake API server answering after ${LATENCY_MS} ms per request`);
  console.log(
    `(load average ${load} on ${cpus().length} CPUs: wall times stretch with it; client CPU does not)`,
  );
  line("one at a time (create)", serial);
  line(`concurrency ${CONCURRENCY} (create)`, parallel);
  line(`concurrency ${CONCURRENCY} (re-apply, all unchanged)`, unchanged);
  console.log(
    `speed-up at concurrency ${CONCURRENCY}: ${(serial.ms / parallel.ms).toFixed(1)}× (target ≥ 5×)`,
  );
}
