/**
 * Benchmark section "reconcile", in the production client configuration (the GitHub App client with
 * retries and throttling, the Kubernetes HTTP client with retries, the real audit log on a local
 * store), against the fake GitHub and the fake API server of test/support over HTTP on loopback:
 *
 * - a 10,000-object inventory: pass time, CPU time and peak RSS when one object changed (the fakes
 *   run in this process, so their CPU counts too: an upper bound of the reconciler's own);
 * - requests per idle pass (target: 1 GitHub request, a 304, and 0 Kubernetes writes).
 * Bounded concurrency against one at a time is `npm run bench -- reconcile-apply`.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildManifestSet } from "../src/core/manifest-set.js";
import { encodeApprovalRecord } from "../src/core/approval/record.js";
import { desiredChanges } from "../src/core/reconcile/desired-changes.js";
import { createKubeClient } from "../src/kube/client.js";
import { KubeClusterApplier } from "../src/kube/cluster-applier.js";
import { adoptBaseline } from "../src/reconciler/adopt.js";
import { parseReconcilerConfig } from "../src/reconciler/config.js";
import { newPassState, runPass } from "../src/reconciler/pass.js";
import { createRuntime } from "../src/reconciler/runtime.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { FakeKubeApi } from "../test/support/fake-kube-api.js";
import { configMap, file, World } from "../test/reconciler/fakes/world.js";

const OBJECTS = 10_000;
const PER_FILE = 100;
const APP_ID = 4242;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

async function inventoryPass(): Promise<void> {
  const files: Record<string, string> = {
    [file("ns.yaml")]: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
  };
  for (let f = 0; f < OBJECTS / PER_FILE; f++) {
    const docs: string[] = [];
    for (let i = 0; i < PER_FILE; i++)
      docs.push(configMap(`cm-${f}-${i}`, { index: String(f * PER_FILE + i), owner: "team-a" }));
    files[file(`team-${f}.yaml`)] = docs.join("---\n");
  }
  const world = await World.create(files);
  const gh = await FakeGitHub.start(world.repo, {
    owner: "acme",
    name: "gitops",
    appId: APP_ID,
    installationId: 7,
  });
  gh.defaultBranchFiles.set(
    ".github/countersign.yml",
    "version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\n",
  );
  const kube = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), "cs-bench-reconcile-"));
  try {
    const kubeconfig = await kube.writeKubeconfig();
    const transport = createKubeClient({ access: { mode: "kubeconfig", kubeconfig } });
    const applier = new KubeClusterApplier(transport);
    for (const name of ["countersign-system", "apps"]) {
      await applier.apply(
        { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        { dryRun: false, force: false },
      );
    }
    const config = parseReconcilerConfig(
      [
        "version: 1",
        "cluster: prod",
        "repository: acme/gitops",
        "paths: [clusters/prod]",
        `github: { appId: ${APP_ID}, installationId: 7, apiUrl: "${gh.url}" }`,
        `kubernetes: { mode: kubeconfig, kubeconfig: "${kubeconfig}" }`,
        `audit: { store: "file://${join(dir, "store")}", spool: "${join(dir, "spool")}" }`,
        "leaderElection: { enabled: false }",
        "inventory: { namespace: countersign-system }",
        "logLevel: warn",
        "",
      ].join("\n"),
      "bench.yaml",
      {},
    );
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const runtime = await createRuntime({
      config,
      secrets: {
        privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        fingerprintKey: "bench-fingerprint-key-0001",
      },
      env: { POD_NAME: "bench" },
    });
    const { deps } = runtime;
    await adoptBaseline(deps, { sha: world.head, reason: "bench", operator: "bench" });
    const state = newPassState();
    let t = performance.now();
    const cold = await runPass(deps, state);
    console.log(
      `first pass over ${OBJECTS} objects (cold blob cache, nothing to apply): ${cold.outcome} in ${ms(performance.now() - t)}`,
    );

    // One object changes through an approved, merged PR.
    const n = world.openPull({
      [file("team-7.yaml")]: (world.repo.filesAt(world.head).get(file("team-7.yaml")) ?? "").replace(
        'index: "700"',
        'index: "700-changed"',
      ),
    });
    const record = world.approve(n);
    gh.checkRuns.push({
      id: gh.newId(),
      headSha: record.headSha,
      appId: APP_ID,
      conclusion: "success",
      externalId: record.changeSetDigest,
      text: encodeApprovalRecord(record),
    });
    const approver = record.approvers[0] as { login: string; reviewId: number; submittedAt: string };
    gh.reviews.set(n, [
      {
        id: approver.reviewId,
        login: approver.login,
        state: "APPROVED",
        commitId: record.headSha,
        submittedAt: approver.submittedAt,
      },
    ]);
    world.merge(n, "squash");
    const ghBefore = gh.requests.length;
    const kubeBefore = kube.requests.length;
    global.gc?.();
    const cpu = process.cpuUsage();
    t = performance.now();
    const changed = await runPass(deps, state);
    const wall = performance.now() - t;
    const used = process.cpuUsage(cpu);
    console.log(
      `pass with 1 of ${OBJECTS} objects changed: ${changed.outcome} (${changed.results?.map((r) => r.outcome).join(", ")}) in ${ms(wall)} wall, ${ms((used.user + used.system) / 1000)} CPU (fakes included), peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}; ${gh.requests.length - ghBefore} GitHub and ${kube.requests.length - kubeBefore} Kubernetes requests`,
    );

    // The CPU side alone: parse 10,000 objects (warm parse cache, as in a running reconciler) and diff them.
    const manifests = [...world.repo.filesAt(world.head)].map(([path, content]) => ({ path, content }));
    const inventory = Object.fromEntries(
      [...buildManifestSet(manifests).objects.values()].map((o) => [
        o.key,
        { apiVersion: o.apiVersion, digest: o.digest },
      ]),
    );
    t = performance.now();
    const set = buildManifestSet(manifests);
    const diff = desiredChanges(inventory, set);
    console.log(
      `CPU side alone: parse and digest ${set.objects.size} objects and diff the inventory (cold parse cache): ${ms(performance.now() - t)} (${diff.length} changes)`,
    );

    const ghIdle = gh.requests.length;
    const kubeIdle = kube.requests.length;
    const idle = await runPass(deps, state);
    const idleKube = kube.requests.slice(kubeIdle);
    console.log(
      `idle pass: ${idle.outcome}; ${gh.requests.length - ghIdle} GitHub request(s) (${gh.requests.slice(ghIdle).join(", ")}), ${idleKube.length} Kubernetes request(s), ${idleKube.filter((r) => r.method !== "GET").length} writes`,
    );
    runtime.audit.close();
  } finally {
    await gh.close();
    await kube.close();
    await world.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await inventoryPass();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
