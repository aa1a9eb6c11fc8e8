/**
 * The "done when" of the reconciler: the real CLI entry (`countersign reconcile`, spawned as a
 * child process with the production client configuration) against a fake GitHub and the fake
 * Kubernetes API server: it adopts a baseline, applies an approved merge, refuses an unapproved
 * direct push, and stops cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeApprovalRecord } from "../../src/core/approval/record.js";
import { createKubeClient } from "../../src/kube/client.js";
import { KubeClusterApplier } from "../../src/kube/cluster-applier.js";
import { FakeKubeApi } from "../support/fake-kube-api.js";
import { FakeGitHub } from "../support/fake-github.js";
import { configMap, file, World } from "../reconciler/fakes/world.js";

const APP_ID = 4242;
const SECRET_VALUE = "s3cr3t-Value-That-Must-Not-Leak-77";
let world: World;
let gh: FakeGitHub;
let kube: FakeKubeApi;
let dir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  options: { untilReady?: (stdout: string) => boolean; signalWhenReady?: NodeJS.Signals } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/index.ts", "reconcile", "--config", configPath, ...args],
      {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      if (!signalled && options.untilReady?.(stdout) === true) {
        signalled = true;
        child.kill(options.signalWhenReady ?? "SIGTERM");
      }
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Publishes what the gate would have written for an approved PR: its check run and the review. */
function publishApproval(number: number): void {
  const record = world.approve(number);
  gh.checkRuns.push({
    id: gh.newId(),
    headSha: record.headSha,
    appId: APP_ID,
    conclusion: "success",
    externalId: record.changeSetDigest,
    text: encodeApprovalRecord(record),
  });
  const approver = record.approvers[0]!;
  gh.reviews.set(number, [
    {
      id: approver.reviewId,
      login: approver.login,
      state: "APPROVED",
      commitId: record.headSha,
      submittedAt: approver.submittedAt,
    },
  ]);
}

const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: ${SECRET_VALUE}\n`;

beforeAll(async () => {
  world = await World.create({ "README.md": "gitops\n" });
  // The gate digests Secrets with the deployment's key; the reconciler below is given the same one.
  world.secretDigestKey = "a-fingerprint-key-of-the-deployment";
  gh = await FakeGitHub.start(world.repo, {
    owner: "acme",
    name: "gitops",
    appId: APP_ID,
    installationId: 7,
  });
  gh.defaultBranchFiles.set(
    ".github/countersign.yml",
    "version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\n",
  );
  kube = await FakeKubeApi.start();
  dir = await mkdtemp(join(tmpdir(), "cs-reconcile-cli-"));
  const kubeconfig = await kube.writeKubeconfig();
  // The reconciler's own namespace exists before it runs (the Helm chart creates it).
  await new KubeClusterApplier(createKubeClient({ access: { mode: "kubeconfig", kubeconfig } })).apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "countersign-system" } },
    { dryRun: false, force: false },
  );
  configPath = join(dir, "reconciler.yaml");
  await writeFile(
    configPath,
    [
      "version: 1",
      "cluster: prod",
      "repository: acme/gitops",
      "branch: main",
      "paths: [clusters/prod]",
      `github: { appId: ${APP_ID}, installationId: 7, apiUrl: "${gh.url}" }`,
      `kubernetes: { mode: kubeconfig, kubeconfig: "${kubeconfig}" }`,
      `audit: { store: "file://${join(dir, "store")}", spool: "${join(dir, "spool")}" }`,
      'schedule: { pass: "*/1 * * * * *", drift: "0 0 1 1 *" }',
      "leaderElection: { enabled: true, namespace: countersign-system, leaseDurationSeconds: 15 }",
      "inventory: { namespace: countersign-system }",
      "server: { port: 0 }",
      "",
    ].join("\n"),
  );
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  env = {
    PATH: process.env["PATH"],
    HOME: dir,
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    COUNTERSIGN_FINGERPRINT_KEY: "a-fingerprint-key-of-the-deployment",
    POD_NAME: "reconciler-0",
    USER: "ci",
  };
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await kube?.close();
  await world?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("countersign reconcile (the CLI, end to end)", () => {
  it("exits 1 naming the field of an invalid configuration", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(
      bad,
      "version: 1\ncluster: Prod!\nrepository: acme/gitops\npaths: [clusters/prod]\ngithub: { appId: 1 }\naudit: { store: file:///x }\ninventory: { namespace: x }\nleaderElection: { enabled: false }\n",
    );
    const run = await new Promise<Run>((resolve) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/index.ts", "reconcile", "--config", bad, "--once"],
        { env, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      child.on("close", (code) => resolve({ code, stdout: "", stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cluster: must be a cluster name");
  }, 60_000);

  it("adopts a baseline, applies an approved merge, refuses an unapproved push", async () => {
    const adopt = await cli(["--adopt", world.head, "--reason", "bootstrap", "--operator", "alice"]);
    expect(adopt.stderr).toContain("adopted");
    expect(adopt.code).toBe(0);

    const n = world.openPull({
      [file("ns.yaml")]: namespace,
      [file("a.yaml")]: configMap("a", { v: "1" }),
      [file("s.yaml")]: secret,
    });
    publishApproval(n);
    const merged = world.merge(n, "squash");
    const applied = await cli(["--once"]);
    expect(applied.stderr).toContain(`applied at ${merged.slice(0, 12)}`);
    expect(applied.code).toBe(0);
    expect(kube.object("", "configmaps", "apps", "a")).toMatchObject({ data: { v: "1" } });
    expect(gh.statuses.at(-1)).toMatchObject({ sha: merged, state: "success", context: "countersign/apply" });
    const comment = gh.comments.find((c) => c.issue === n);
    expect(comment?.body).toContain("applied to `prod`");
    expect(comment?.body).toContain("3 created, 0 failed");

    const push = world.directPush({ [file("a.yaml")]: configMap("a", { v: "pushed" }) });
    const refused = await cli(["--once"]);
    expect(refused.code).toBe(3);
    expect(kube.object("", "configmaps", "apps", "a")).toMatchObject({ data: { v: "1" } });
    expect(gh.statuses.at(-1)).toMatchObject({ sha: push, state: "failure" });
    expect(gh.comments.some((c) => c.commit === push)).toBe(true);

    const everything =
      [adopt, applied, refused].map((r) => r.stdout + r.stderr).join("\n") +
      JSON.stringify([gh.statuses, gh.comments]);
    expect(everything).not.toContain(SECRET_VALUE);
  }, 180_000);

  it("runs as a daemon and stops on SIGTERM: exit 0, lease released", async () => {
    const run = await cli([], {
      untilReady: (out) => out.includes("reconcile pass") || out.includes("reconciler started"),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("stopping");
    const lease = kube.object(
      "coordination.k8s.io",
      "leases",
      "countersign-system",
      "countersign-reconciler",
    );
    expect((lease?.["spec"] as { holderIdentity?: string } | undefined)?.holderIdentity ?? "").not.toBe(
      "reconciler-0",
    );
  }, 120_000);
});
