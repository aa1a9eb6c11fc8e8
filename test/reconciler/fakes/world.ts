/**
 * A scenario world: a fake repository on a fake forge, the gate's approvals as it would record
 * them, a fake cluster, a fake reporter and a real AuditLog over a local store (with a switch to
 * take the store down). Tests build a history, run passes and look at what happened.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog } from "../../../src/audit/audit-log.js";
import { LocalAuditStore } from "../../../src/audit/local-store.js";
import { readChain } from "../../../src/audit/read-chain.js";
import { changeSetDigest } from "../../../src/core/change-set.js";
import { diffManifestSets } from "../../../src/core/change-set.js";
import type { AuditRecord } from "../../../src/core/audit/record.js";
import { buildManifestSet } from "../../../src/core/manifest-set.js";
import { createMasker } from "../../../src/core/mask/masker.js";
import type { ApprovalRecord, RiskLevel } from "../../../src/core/model.js";
import type { AuditHead, AuditStore } from "../../../src/core/ports/audit-store.js";
import type { RepoRef } from "../../../src/core/ports/revision-reader.js";
import type { PullApproval } from "../../../src/core/reconcile/authorize.js";
import { adoptBaseline } from "../../../src/reconciler/adopt.js";
import { checkDrift } from "../../../src/reconciler/drift.js";
import type { DriftReport } from "../../../src/reconciler/drift.js";
import { newPassState, runPass } from "../../../src/reconciler/pass.js";
import type { PassReport, PassState } from "../../../src/reconciler/pass.js";
import type { PullApprovals } from "../../../src/reconciler/ports.js";
import type { ReconcilerDeps } from "../../../src/reconciler/reconciler.js";
import { FakeCluster } from "./fake-cluster.js";
import { FakeRepo } from "./fake-repo.js";
import { FakeReporter } from "./fake-reporter.js";

export const REPO: RepoRef = { owner: "acme", repo: "gitops" };
export const PATH = "clusters/prod";
export const FINGERPRINT_KEY = "test-fingerprint-key";

/** A ConfigMap manifest in namespace `apps`. */
export function configMap(name: string, data: Record<string, string>, namespace = "apps"): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n${lines.join("\n")}\n`;
}

export function secret(name: string, value: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: apps\nstringData:\n  password: ${JSON.stringify(value)}\n`;
}

export const file = (name: string): string => `${PATH}/${name}`;

/** An audit store that can be taken down. */
export class SwitchableStore implements AuditStore {
  down = false;
  constructor(readonly inner: LocalAuditStore) {}
  get location(): string {
    return this.inner.location;
  }
  private check(): void {
    if (this.down) throw new Error("connect ECONNREFUSED (audit store down)");
  }
  async listClusters(): Promise<string[]> {
    this.check();
    return this.inner.listClusters();
  }
  async listKeys(cluster: string): Promise<string[]> {
    this.check();
    return this.inner.listKeys(cluster);
  }
  async readRecord(key: string): Promise<unknown> {
    this.check();
    return this.inner.readRecord(key);
  }
  async readHead(cluster: string): Promise<AuditHead | null> {
    this.check();
    return this.inner.readHead(cluster);
  }
  async append(cluster: string, build: (head: AuditRecord | null) => AuditRecord): Promise<AuditRecord> {
    this.check();
    return this.inner.append(cluster, build);
  }
}

interface PullDraft {
  number: number;
  base: string;
  commits: { sha: string; changes: Record<string, string | null> }[];
}

class FakeApprovals implements PullApprovals {
  readonly byPull = new Map<number, PullApproval>();
  calls = 0;
  down = false;
  async verify(_repo: RepoRef, pullRequest: number): Promise<PullApproval> {
    this.calls++;
    if (this.down) throw new Error("GitHub unreachable: listing check runs");
    return this.byPull.get(pullRequest) ?? { ok: false, reason: "no approval record on its head" };
  }
}

export class World {
  /** The deployment's key the gate digests Secrets with (the reconciler under test must share it). */
  secretDigestKey: string | undefined;

  readonly repo = new FakeRepo();
  readonly cluster = new FakeCluster();
  readonly reporter = new FakeReporter();
  readonly approvals = new FakeApprovals();
  readonly masker = createMasker({ fingerprintKey: FINGERPRINT_KEY });
  readonly logs: string[] = [];
  readonly drafts = new Map<number, PullDraft>();
  store!: SwitchableStore;
  audit!: AuditLog;
  state: PassState = newPassState();
  dir = "";
  #nextPull = 1;
  #clock = Date.parse("2026-11-29T10:00:00Z");

  static async create(files: Record<string, string> = {}): Promise<World> {
    const world = new World();
    world.dir = await mkdtemp(join(tmpdir(), "countersign-reconcile-"));
    world.store = new SwitchableStore(new LocalAuditStore(join(world.dir, "store"), { durable: false }));
    world.audit = world.newAuditLog();
    const root = world.repo.commit([], files);
    world.repo.branches.set("main", root);
    return world;
  }

  newAuditLog(): AuditLog {
    return new AuditLog({
      store: this.store,
      cluster: "prod",
      actor: "system:serviceaccount:countersign-system:countersign",
      masker: this.masker,
      spool: join(this.dir, "spool"),
      clock: { now: () => new Date((this.#clock += 1000)) },
      retryDelaysMs: [3_600_000],
    });
  }

  async dispose(): Promise<void> {
    this.audit.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  get head(): string {
    return this.repo.branches.get("main") as string;
  }

  deps(): ReconcilerDeps {
    const line = (level: string) => (obj: object, msg: string) => {
      this.logs.push(JSON.stringify({ level, ...obj, msg }));
    };
    return {
      settings: {
        cluster: "prod",
        repo: REPO,
        branch: "main",
        paths: [PATH],
        scope: { ownNamespace: "countersign-system", namespaces: [], kinds: [] },
        concurrency: 4,
        crdEstablishedTimeoutMs: 1_000,
        historyLimit: 100,
      },
      reader: this.repo,
      approvals: this.approvals,
      reporter: this.reporter,
      applier: this.cluster,
      inventory: this.cluster,
      lease: this.cluster,
      audit: this.audit,
      masker: this.masker,
      log: { info: line("info"), warn: line("warn"), error: line("error") },
      clock: { now: () => new Date(this.#clock) },
      now: () => 0,
    };
  }

  pass(): Promise<PassReport> {
    return runPass(this.deps(), this.state);
  }

  drift(): Promise<DriftReport> {
    return checkDrift(this.deps());
  }

  adopt(sha = this.head, reason = "bootstrap"): ReturnType<typeof adoptBaseline> {
    return adoptBaseline(this.deps(), { sha, reason, operator: "alice" });
  }

  /** Adopts the current head and makes the cluster hold it (as if it had been applied). */
  async baseline(): Promise<void> {
    await this.adopt();
    const set = buildManifestSet(
      [...this.repo.filesAt(this.head)].map(([path, content]) => ({ path, content })),
    );
    for (const o of set.objects.values()) this.cluster.live.set(o.key, structuredClone(o.object));
  }

  directPush(changes: Record<string, string | null>): string {
    const sha = this.repo.commit([this.head], changes);
    this.repo.branches.set("main", sha);
    return sha;
  }

  /** Opens a PR from the current head with one commit per entry of `commits`. */
  openPull(...commits: Record<string, string | null>[]): number {
    const number = this.#nextPull++;
    const base = this.head;
    let parent = base;
    const draft: PullDraft = { number, base, commits: [] };
    for (const changes of commits) {
      parent = this.repo.commit([parent], changes);
      draft.commits.push({ sha: parent, changes });
    }
    this.drafts.set(number, draft);
    this.repo.pulls.push({
      number,
      merged: false,
      baseRef: "main",
      mergeCommitSha: null,
      headSha: parent,
      author: "agent",
      commits: new Set(draft.commits.map((c) => c.sha)),
    });
    return number;
  }

  /** The gate's approval of a PR as it stands (its changes between base and head), at `level`. */
  approve(number: number, level: RiskLevel = "low"): ApprovalRecord {
    const draft = this.drafts.get(number) as PullDraft;
    const head = draft.commits[draft.commits.length - 1]?.sha ?? draft.base;
    const setOf = (sha: string) =>
      buildManifestSet(
        [...this.repo.filesAt(sha)]
          .filter(([p]) => p.startsWith(`${PATH}/`))
          .map(([path, content]) => ({ path, content })),
        this.secretDigestKey === undefined ? {} : { secretDigestKey: this.secretDigestKey },
      );
    const changeSet = diffManifestSets(setOf(draft.base), setOf(head));
    const changes = changeSet.changes.map((c) => ({
      key: c.key,
      op: c.op,
      afterDigest: c.after?.digest ?? "",
      level,
    }));
    const record: ApprovalRecord = {
      schema: 2,
      repository: `${REPO.owner}/${REPO.repo}`,
      pullRequest: number,
      author: "agent",
      headSha: head,
      baseSha: draft.base,
      changeSetDigest: changeSetDigest(changes),
      protectedFiles: [],
      level,
      auto: false,
      changes,
      approvers: [{ login: "reviewer", reviewId: 100 + number, submittedAt: "2026-11-29T09:00:00Z" }],
      policyDigest: "d".repeat(64),
      createdAt: "2026-11-29T09:00:00Z",
    };
    this.approvals.byPull.set(number, { ok: true, record, checkRunId: 5000 + number });
    return record;
  }

  /** Merges a PR: a merge commit, a squash commit, or its commits rebased. `override` edits the result (a textual merge). */
  merge(
    number: number,
    strategy: "merge" | "squash" | "rebase",
    override: Record<string, string | null> = {},
  ): string {
    const draft = this.drafts.get(number) as PullDraft;
    const pull = this.repo.pulls.find((p) => p.number === number);
    if (pull === undefined) throw new Error(`no PR #${number}`);
    const all: Record<string, string | null> = Object.assign(
      {},
      ...draft.commits.map((c) => c.changes),
      override,
    );
    let sha: string;
    if (strategy === "rebase") {
      sha = this.head;
      for (const [i, c] of draft.commits.entries()) {
        const last = i === draft.commits.length - 1;
        sha = this.repo.commit([sha], last ? { ...c.changes, ...override } : c.changes);
        pull.commits.add(sha);
      }
    } else {
      const head = draft.commits[draft.commits.length - 1]?.sha ?? draft.base;
      sha = this.repo.commit(strategy === "merge" ? [this.head, head] : [this.head], all, this.head);
      pull.commits.add(sha);
    }
    pull.merged = true;
    pull.mergeCommitSha = sha;
    this.repo.branches.set("main", sha);
    return sha;
  }

  /** Opens, approves and merges a PR in one go. */
  approvedMerge(
    changes: Record<string, string | null>,
    strategy: "merge" | "squash" | "rebase" = "merge",
  ): number {
    const n = this.openPull(changes);
    this.approve(n);
    this.merge(n, strategy);
    return n;
  }

  async records(): Promise<AuditRecord[]> {
    const chain = await readChain(this.store.inner, "prod");
    return chain.records;
  }
}
