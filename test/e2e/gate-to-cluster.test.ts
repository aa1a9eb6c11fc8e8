/**
 * Acceptance: the real gate and the real reconciler agree. Both run as separate processes of the
 * CLI with their production configuration, against one stateful fake GitHub (reached by the gate
 * as GitHub Enterprise Server, GHE_HOST) and the fake Kubernetes API server, sharing only the
 * fingerprint key and the App id, as in a deployment. The gate is fed signed webhooks and writes
 * its check run (with the approval record) into the fake GitHub; the PR is merged there; the
 * reconciler must apply exactly what the gate approved, and refuse what it did not.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeApprovalRecordResult } from "../../src/core/approval/record.js";
import { createKubeClient } from "../../src/kube/client.js";
import { KubeClusterApplier } from "../../src/kube/cluster-applier.js";
import { FakeGitHub } from "../support/fake-github.js";
import type { FakeCheckRun } from "../support/fake-github.js";
import { FakeKubeApi } from "../support/fake-kube-api.js";
import { configMap, file, secret, World } from "../reconciler/fakes/world.js";
import { eventually, GateProcess, runCli } from "./processes.js";
import type { Run } from "./processes.js";

const APP_ID = 4242;
const INSTALLATION_ID = 7;
const OWNER = "acme";
const NAME = "gitops";
const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";
const FINGERPRINT_KEY = "the-fingerprint-key-of-this-deployment";
const SECRET_VALUE = "pa55-Never-Shown-Anywhere-9c1e";
const CONFIG = "version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\nagents: [agent]\n";

let world: World;
let gh: FakeGitHub;
let kube: FakeKubeApi;
let gate: GateProcess;
let dir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
const runs: Run[] = [];
let nextReview = 900;

function pullPayload(number: number): Record<string, unknown> {
  const pull = world.repo.pulls.find((p) => p.number === number);
  if (pull === undefined) throw new Error(`no PR #${number}`);
  const draft = world.drafts.get(number);
  return {
    number,
    state: "open",
    // A newer head always gets a later updated_at (the gate drops events of older heads).
    updated_at: new Date(Date.parse("2026-11-29T10:00:00Z") + pull.commits.size * 60_000).toISOString(),
    head: { sha: pull.headSha, ref: `pr-${number}` },
    base: { sha: draft?.base, ref: "main" },
    user: { login: pull.author, type: "User" },
    draft: false,
  };
}

const repository = {
  id: 1,
  name: NAME,
  full_name: `${OWNER}/${NAME}`,
  owner: { login: OWNER, type: "Organization" },
  default_branch: "main",
};

/** The gate's check runs on a head, oldest first. */
const runsOn = (sha: string): FakeCheckRun[] => gh.checkRuns.filter((c) => c.headSha === sha);

/** Delivers pull_request.<action> and waits for the gate's next completed check run on the head. */
async function pullRequestEvent(number: number, action: "opened" | "synchronize"): Promise<FakeCheckRun> {
  const head = world.repo.pulls.find((p) => p.number === number)?.headSha as string;
  const before = runsOn(head).length;
  const status = await gate.deliver("pull_request", {
    action,
    number,
    pull_request: pullPayload(number),
    repository,
    installation: { id: INSTALLATION_ID },
    sender: { login: "agent", type: "User" },
  });
  expect(status).toBe(200);
  return completedRun(head, before);
}

/** A review is submitted on GitHub (so the gate reads it back), then its webhook is delivered. */
async function review(number: number, login: string, state = "APPROVED"): Promise<FakeCheckRun> {
  const pull = world.repo.pulls.find((p) => p.number === number);
  if (pull === undefined) throw new Error(`no PR #${number}`);
  const id = nextReview++;
  const submittedAt = new Date(Date.parse("2026-11-29T11:00:00Z") + id * 1000).toISOString();
  const list = gh.reviews.get(number) ?? [];
  list.push({ id, login, state, commitId: pull.headSha, submittedAt, association: "MEMBER" });
  gh.reviews.set(number, list);
  const before = runsOn(pull.headSha).length;
  const status = await gate.deliver("pull_request_review", {
    action: "submitted",
    review: {
      id,
      state: state.toLowerCase(),
      commit_id: pull.headSha,
      submitted_at: submittedAt,
      user: { login, type: "User" },
      author_association: "MEMBER",
    },
    pull_request: pullPayload(number),
    repository,
    installation: { id: INSTALLATION_ID },
    sender: { login, type: "User" },
  });
  expect(status).toBe(200);
  return completedRun(pull.headSha, before);
}

function completedRun(head: string, before: number): Promise<FakeCheckRun> {
  return eventually(`a completed countersign check run on ${head.slice(0, 7)}`, () => {
    const after = runsOn(head);
    const last = after.at(-1);
    return after.length > before && last?.status === "completed" ? last : undefined;
  });
}

/** Adds a commit to an open PR (a push to its branch). */
function pushToPull(number: number, changes: Record<string, string | null>): string {
  const draft = world.drafts.get(number);
  const pull = world.repo.pulls.find((p) => p.number === number);
  if (draft === undefined || pull === undefined) throw new Error(`no PR #${number}`);
  const sha = world.repo.commit([pull.headSha], changes);
  draft.commits.push({ sha, changes });
  pull.commits.add(sha);
  pull.headSha = sha;
  return sha;
}

async function reconcile(...args: string[]): Promise<Run> {
  const run = await runCli(["reconcile", "--config", configPath, ...args], env);
  runs.push(run);
  return run;
}

async function auditRecordsText(): Promise<string> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.push(await readFile(p, "utf8"));
    }
  };
  await walk(join(dir, "store"));
  return out.join("\n");
}

const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";

beforeAll(async () => {
  world = await World.create({ "README.md": "gitops\n" });
  gh = await FakeGitHub.start(world.repo, {
    owner: OWNER,
    name: NAME,
    appId: APP_ID,
    installationId: INSTALLATION_ID,
  });
  gh.defaultBranchFiles.set(".github/countersign.yml", CONFIG);
  kube = await FakeKubeApi.start();
  dir = await mkdtemp(join(tmpdir(), "cs-e2e-"));
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
      `repository: ${OWNER}/${NAME}`,
      "branch: main",
      "paths: [clusters/prod]",
      // The same GitHub Enterprise layout the gate is pointed at.
      `github: { appId: ${APP_ID}, installationId: ${INSTALLATION_ID}, apiUrl: "${gh.url}/api/v3" }`,
      `kubernetes: { mode: kubeconfig, kubeconfig: "${kubeconfig}" }`,
      `audit: { store: "file://${join(dir, "store")}", spool: "${join(dir, "spool")}" }`,
      "leaderElection: { enabled: true, namespace: countersign-system, leaseDurationSeconds: 15 }",
      "inventory: { namespace: countersign-system }",
      "server: { port: 0 }",
      "",
    ].join("\n"),
  );
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const [host, port] = gh.url.replace("http://", "").split(":");
  env = {
    PATH: process.env["PATH"],
    HOME: dir,
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    GHE_HOST: `${host}:${port}`,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    COUNTERSIGN_FINGERPRINT_KEY: FINGERPRINT_KEY,
    POD_NAME: "reconciler-0",
    USER: "ci",
  };
  gate = await GateProcess.start(env, WEBHOOK_SECRET);
  const adopt = await reconcile("--adopt", world.head, "--reason", "bootstrap", "--operator", "alice");
  expect(adopt.code, adopt.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await gate?.stop();
  await gh?.close();
  await kube?.close();
  await world?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the gate's approval record drives the reconciler (two processes, production configuration)", () => {
  it("rejects a webhook with a forged signature and writes nothing", async () => {
    const before = gh.checkRuns.length;
    const status = await gate.deliver("pull_request", { action: "opened" }, `sha256=${"0".repeat(64)}`);
    expect(status).toBe(400);
    expect(gh.checkRuns.length).toBe(before);
  });

  it("holds a PR until a member approves, then the reconciler applies exactly its objects (merge commit)", async () => {
    const n = world.openPull({
      [file("ns.yaml")]: namespace,
      [file("a.yaml")]: configMap("a", { v: "1" }),
      [file("s.yaml")]: secret("db", SECRET_VALUE),
    });
    const opened = await pullRequestEvent(n, "opened");
    expect(opened.conclusion).toBe("action_required");
    expect(opened.text).toBeNull();
    // The PR's author and agents never count, whatever they say.
    expect((await review(n, "agent")).conclusion).toBe("action_required");
    const approved = await review(n, "alice");
    expect(approved.conclusion).toBe("success");
    expect(approved.appId).toBe(APP_ID);
    const decoded = decodeApprovalRecordResult(approved.text ?? "");
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.record.changes.map((c) => `${c.op} ${c.key}`).sort()).toEqual([
      "create /ConfigMap/apps/a",
      "create /Namespace//apps",
      "create /Secret/apps/db",
    ]);
    expect(decoded.record.approvers.map((a) => a.login)).toEqual(["alice"]);

    const merged = world.merge(n, "merge");
    const applied = await reconcile("--once");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(`applied at ${merged.slice(0, 12)}`);
    expect(kube.object("", "configmaps", "apps", "a")).toMatchObject({ data: { v: "1" } });
    expect(kube.object("", "namespaces", "", "apps")).toBeDefined();
    expect(kube.object("", "secrets", "apps", "db")).toBeDefined();
    // Exactly the approved objects: nothing else in the namespace the PR created.
    const names = (plural: string): string[] =>
      kube
        .objects("", plural)
        .filter((o) => (o["metadata"] as { namespace?: string }).namespace === "apps")
        .map((o) => (o["metadata"] as { name: string }).name);
    expect([names("configmaps"), names("secrets")]).toEqual([["a"], ["db"]]);
    expect(gh.statuses.at(-1)).toMatchObject({ sha: merged, state: "success", context: "countersign/apply" });
  }, 180_000);

  it("applies a squash-merged approved update", async () => {
    const n = world.openPull({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    expect((await pullRequestEvent(n, "opened")).conclusion).toBe("action_required");
    expect((await review(n, "alice")).conclusion).toBe("success");
    const merged = world.merge(n, "squash");
    const applied = await reconcile("--once");
    expect(applied.code, applied.stderr).toBe(0);
    expect(kube.object("", "configmaps", "apps", "a")).toMatchObject({ data: { v: "2" } });
    expect(gh.statuses.at(-1)).toMatchObject({ sha: merged, state: "success", context: "countersign/apply" });
  }, 180_000);

  it("applies a rebase-merged approved PR of two commits", async () => {
    const n = world.openPull(
      { [file("d.yaml")]: configMap("d", { v: "draft" }) },
      { [file("d.yaml")]: configMap("d", { v: "final" }) },
    );
    await pullRequestEvent(n, "opened");
    expect((await review(n, "alice")).conclusion).toBe("success");
    const merged = world.merge(n, "rebase");
    const applied = await reconcile("--once");
    expect(applied.code, applied.stderr).toBe(0);
    expect(kube.object("", "configmaps", "apps", "d")).toMatchObject({ data: { v: "final" } });
    expect(gh.statuses.at(-1)).toMatchObject({ sha: merged, state: "success" });
  }, 180_000);

  it("reads a dozen changed files through GraphQL (/api/graphql) and applies them all", async () => {
    const changes: Record<string, string> = {};
    for (let i = 0; i < 12; i++) changes[file(`many-${i}.yaml`)] = configMap(`many-${i}`, { i: String(i) });
    const n = world.openPull(changes);
    const graphqlBefore = gh.requests.filter((r) => r === "POST /api/graphql").length;
    await pullRequestEvent(n, "opened");
    expect(gh.requests.filter((r) => r === "POST /api/graphql").length).toBeGreaterThan(graphqlBefore);
    expect((await review(n, "alice")).conclusion).toBe("success");
    world.merge(n, "merge");
    const applied = await reconcile("--once");
    expect(applied.code, applied.stderr).toBe(0);
    for (let i = 0; i < 12; i++)
      expect(kube.object("", "configmaps", "apps", `many-${i}`)).toMatchObject({ data: { i: String(i) } });
  }, 180_000);

  it("binds a change of the repository configuration: critical, two approvals, then applied", async () => {
    const n = world.openPull({
      ".github/countersign.yml": CONFIG,
      [file("e.yaml")]: configMap("e", { v: "1" }),
    });
    await pullRequestEvent(n, "opened");
    expect((await review(n, "alice")).conclusion).toBe("action_required");
    const approved = await review(n, "bob");
    expect(approved.conclusion).toBe("success");
    const decoded = decodeApprovalRecordResult(approved.text ?? "");
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.record.level).toBe("critical");
    expect(decoded.record.protectedFiles.map((f) => f.path)).toEqual([".github/countersign.yml"]);
    world.merge(n, "squash");
    const applied = await reconcile("--once");
    expect(applied.code, applied.stderr).toBe(0);
    expect(kube.object("", "configmaps", "apps", "e")).toMatchObject({ data: { v: "1" } });
  }, 180_000);

  it("refuses a merged PR whose approving review was dismissed before the reconciler ran", async () => {
    const n = world.openPull({ [file("f.yaml")]: configMap("f", { v: "1" }) });
    await pullRequestEvent(n, "opened");
    expect((await review(n, "alice")).conclusion).toBe("success");
    world.merge(n, "merge");
    for (const r of gh.reviews.get(n) ?? []) r.state = "DISMISSED";
    const refused = await reconcile("--once");
    expect(refused.code).toBe(3);
    expect(kube.object("", "configmaps", "apps", "f")).toBeUndefined();
    // Unblock: approve the revert.
    const revert = world.openPull({ [file("f.yaml")]: null });
    await pullRequestEvent(revert, "opened");
    expect((await review(revert, "alice")).conclusion).toBe("success");
    world.merge(revert, "squash");
    expect((await reconcile("--once")).code).toBe(0);
  }, 180_000);

  it("refuses a PR merged without approval: nothing applied", async () => {
    const n = world.openPull({ [file("b.yaml")]: configMap("b", { v: "1" }) });
    expect((await pullRequestEvent(n, "opened")).conclusion).toBe("action_required");
    const merged = world.merge(n, "merge");
    const refused = await reconcile("--once");
    expect(refused.code).toBe(3);
    expect(kube.object("", "configmaps", "apps", "b")).toBeUndefined();
    expect(gh.statuses.at(-1)).toMatchObject({ sha: merged, state: "failure", context: "countersign/apply" });
    // Unblock: revert the unapproved change through an approved PR.
    const revert = world.openPull({ [file("b.yaml")]: null });
    await pullRequestEvent(revert, "opened");
    expect((await review(revert, "alice")).conclusion).toBe("success");
    world.merge(revert, "merge");
    const unblocked = await reconcile("--once");
    expect(unblocked.code, unblocked.stderr).toBe(0);
    expect(kube.object("", "configmaps", "apps", "b")).toBeUndefined();
  }, 180_000);

  it("refuses content pushed after the approval", async () => {
    const n = world.openPull({ [file("c.yaml")]: configMap("c", { v: "approved" }) });
    await pullRequestEvent(n, "opened");
    expect((await review(n, "alice")).conclusion).toBe("success");
    pushToPull(n, { [file("c.yaml")]: configMap("c", { v: "pushed-later" }) });
    expect((await pullRequestEvent(n, "synchronize")).conclusion).toBe("action_required");
    world.merge(n, "squash");
    const refused = await reconcile("--once");
    expect(refused.code).toBe(3);
    expect(kube.object("", "configmaps", "apps", "c")).toBeUndefined();
  }, 180_000);

  it("never shows the Secret's value, and the audit log verifies", async () => {
    const verify = await runCli(["audit", "verify", "--store", `file://${join(dir, "store")}`], env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const everything = [
      ...runs.map((r) => r.stdout + r.stderr),
      gate.output,
      verify.stdout + verify.stderr,
      JSON.stringify([gh.checkRuns, gh.comments, gh.statuses]),
      await auditRecordsText(),
    ].join("\n");
    expect(everything).toContain("Secret/apps/db");
    expect(everything).not.toContain(SECRET_VALUE);
    expect(everything).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"));
  }, 60_000);
});
