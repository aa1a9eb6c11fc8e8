import { afterEach, describe, expect, it } from "vitest";
import { configMap, file, secret, World } from "./fakes/world.js";

let world: World;
afterEach(() => world?.dispose());

const key = (name: string): string => `/ConfigMap/apps/${name}`;

async function start(
  files: Record<string, string> = { [file("a.yaml")]: configMap("a", { v: "1" }) },
): Promise<World> {
  world = await World.create(files);
  await world.baseline();
  return world;
}

describe("approved merges are applied", () => {
  it.each(["merge", "squash", "rebase"] as const)(
    "an approved PR merged by %s is applied and reported",
    async (strategy) => {
      await start();
      const n = world.openPull(
        { [file("a.yaml")]: configMap("a", { v: "2" }) },
        { [file("b.yaml")]: configMap("b", { v: "1" }) },
      );
      world.approve(n);
      const d = world.merge(n, strategy);
      const report = await world.pass();
      expect(report).toMatchObject({ outcome: "applied", sha: d });
      expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "2" } });
      expect(world.cluster.live.get(key("b"))).toMatchObject({ data: { v: "1" } });
      expect(world.cluster.inventory?.lastAppliedCommit).toBe(d);
      expect(world.reporter.lastStatus()).toMatchObject({ sha: d, state: "success" });
      const comment = world.reporter.pullComments.get(`${n}:<!-- countersign:apply:prod -->`);
      expect(comment).toContain(
        `applied to \`prod\` at \`${d.slice(0, 12)}\`: 1 configured, 1 created, 0 failed`,
      );
      const kinds = (await world.records()).map((r) => r.kind);
      expect(kinds).toEqual(["baseline", "intent", "result"]);
    },
  );

  it("applies two approved PRs merged between passes", async () => {
    await start();
    const one = world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) }, "squash");
    const two = world.approvedMerge({ [file("b.yaml")]: configMap("b", { v: "1" }) }, "merge");
    expect(await world.pass()).toMatchObject({ outcome: "applied" });
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "2" } });
    expect(world.cluster.live.get(key("b"))).toMatchObject({ data: { v: "1" } });
    const intent = (await world.records()).find((r) => r.kind === "intent");
    expect(intent?.pullRequests).toEqual([one, two]);
    expect(intent?.approvals.map((a) => a.pullRequest)).toEqual([one, two]);
    expect(intent?.authors).toEqual([
      { pullRequest: one, login: "agent" },
      { pullRequest: two, login: "agent" },
    ]);
  });

  it("prunes an approved deletion, and only that", async () => {
    await start({
      [file("a.yaml")]: configMap("a", { v: "1" }),
      [file("b.yaml")]: configMap("b", { v: "1" }),
    });
    world.cluster.live.set("/ConfigMap/apps/not-mine", { kind: "ConfigMap" });
    world.approvedMerge({ [file("b.yaml")]: null });
    expect(await world.pass()).toMatchObject({ outcome: "applied" });
    expect(world.cluster.live.has(key("b"))).toBe(false);
    expect(world.cluster.live.has("/ConfigMap/apps/not-mine")).toBe(true);
    expect(world.cluster.inventory?.objects[key("b")]).toBeUndefined();
  });
});

describe("unapproved content is refused, visibly, and nothing is written", () => {
  it("refuses a direct push and says which object, which commit and why", async () => {
    await start();
    const writes = world.cluster.writes;
    const push = world.directPush({ [file("a.yaml")]: configMap("a", { v: "evil" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.uncovered).toEqual([
      expect.objectContaining({
        key: key("a"),
        commit: push,
        reason: expect.stringContaining("direct push"),
      }),
    ]);
    expect(world.cluster.writes).toBe(writes);
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } });
    expect(world.reporter.lastStatus()).toMatchObject({ sha: push, state: "failure" });
    expect(world.reporter.lastStatus()?.description).toContain("/ConfigMap/apps/a");
    expect(world.reporter.commitComments.map((c) => c.sha)).toEqual([push]);
    const refusal = (await world.records()).find((r) => r.kind === "refusal");
    expect(refusal?.objects.map((o) => [o.key, o.outcome])).toEqual([[key("a"), "refused"]]);
  });

  it("refuses an approved PR plus a direct push in the same window, and comments on both", async () => {
    await start();
    const n = world.approvedMerge({ [file("b.yaml")]: configMap("b", { v: "1" }) });
    const push = world.directPush({ [file("a.yaml")]: configMap("a", { v: "evil" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(world.cluster.live.has(key("b"))).toBe(false);
    expect(world.reporter.pullComments.get(`${n}:<!-- countersign:apply:prod -->`)).toContain("refused");
    expect(world.reporter.commitComments.map((c) => c.sha)).toEqual([push]);
  });

  it("unblocks once an approved PR reverts the direct push", async () => {
    await start();
    world.approvedMerge({ [file("b.yaml")]: configMap("b", { v: "1" }) });
    world.directPush({ [file("a.yaml")]: configMap("a", { v: "evil" }) });
    expect((await world.pass()).outcome).toBe("refused");
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "1" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("applied");
    expect(world.cluster.live.get(key("b"))).toMatchObject({ data: { v: "1" } });
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } });
    // The superseded push is still named in the intent (rule 3).
    const intent = (await world.records()).filter((r) => r.kind === "intent").pop();
    expect(intent?.message).toContain("direct push");
  });

  it("refuses a force push until an operator adopts a baseline", async () => {
    await start();
    const root = world.repo.commit([], { [file("a.yaml")]: configMap("a", { v: "rewritten" }) });
    world.repo.branches.set("main", root);
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.message).toContain("not on the first-parent history");
    const adopted = await world.adopt(root, "history rewritten by the platform team");
    expect(adopted.objects).toBe(1);
    const baseline = (await world.records()).filter((r) => r.kind === "baseline").pop();
    expect(baseline?.message).toBe(
      "baseline adopted by operator alice: history rewritten by the platform team",
    );
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } }); // adopting applies nothing
    world.approvedMerge({ [file("b.yaml")]: configMap("b", { v: "1" }) });
    expect((await world.pass()).outcome).toBe("applied");
  });

  it("refuses a merge of diverged branches that mixed two edits of one object", async () => {
    await start({ [file("a.yaml")]: configMap("a", { x: "1", y: "1" }) });
    const first = world.openPull({ [file("a.yaml")]: configMap("a", { x: "2", y: "1" }) });
    const second = world.openPull({ [file("a.yaml")]: configMap("a", { x: "1", y: "2" }) });
    world.approve(first);
    world.approve(second);
    world.merge(first, "merge");
    // Git merges the two edits textually: content neither approval holds.
    world.merge(second, "merge", { [file("a.yaml")]: configMap("a", { x: "2", y: "2" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.uncovered?.[0]).toMatchObject({ key: key("a"), pullRequest: second });
    expect(report.uncovered?.[0]?.reason).toContain("approved content differs");
  });

  it("does not let an old approval resurrect content a later change replaced", async () => {
    await start();
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "3" }) });
    // A direct push restores the content the first PR approved.
    world.directPush({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.uncovered?.[0]?.reason).toContain("direct push");
  });

  it("refuses a PR whose approval no longer verifies", async () => {
    await start();
    const n = world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    world.approvals.byPull.set(n, { ok: false, reason: "the approving review was dismissed" });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.uncovered?.[0]?.reason).toContain("dismissed");
  });

  it("refuses changes to its own namespace unless approved at critical level", async () => {
    await start();
    const content = { [file("own.yaml")]: configMap("settings", { v: "1" }, "countersign-system") };
    const low = world.openPull(content);
    world.approve(low, "high");
    world.merge(low, "squash");
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.uncovered?.[0]?.reason).toContain("critical level");
    world.approve(low, "critical");
    world.state.pending = true;
    expect((await world.pass()).outcome).toBe("applied");
  });

  it("refuses kinds and namespaces outside manage.kinds / manage.namespaces", async () => {
    await start();
    world.approvedMerge({ [file("b.yaml")]: configMap("b", { v: "1" }, "kube-system") });
    const deps = world.deps();
    deps.settings.scope = { ownNamespace: "countersign-system", namespaces: ["apps"], kinds: [] };
    const { runPass } = await import("../../src/reconciler/pass.js");
    const report = await runPass(deps, world.state);
    expect(report.outcome).toBe("refused");
    expect(report.uncovered?.[0]?.reason).toContain("manage.namespaces");
  });

  it("refuses invalid manifests at D without touching the cluster", async () => {
    await start();
    const writes = world.cluster.writes;
    world.approvedMerge({ [file("bad.yaml")]: "kind: [unclosed\n" });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.message).toContain("invalid");
    expect(world.cluster.writes).toBe(writes);
  });

  it("refuses an object that has only metadata.generateName, naming its file, without touching the cluster", async () => {
    await start();
    const writes = world.cluster.writes;
    world.approvedMerge({
      [file("hook.yaml")]:
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: hook-\n  namespace: apps\ndata:\n  v: '1'\n",
    });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.message).toContain("generateName");
    expect(report.message).toContain("hook.yaml");
    expect(world.cluster.writes).toBe(writes);
  });

  it("refuses with no baseline and says how to adopt one", async () => {
    world = await World.create({ [file("a.yaml")]: configMap("a", { v: "1" }) });
    const report = await world.pass();
    expect(report.outcome).toBe("refused");
    expect(report.message).toContain("--adopt");
  });
});

describe("faults: nothing unapproved, nothing lost", () => {
  it.each([
    ["GitHub", (w: World) => (w.repo.down = true)],
    ["the API server", (w: World) => (w.cluster.down = true)],
    ["the audit store", (w: World) => (w.store.down = true)],
  ])("applies nothing when %s is down, then applies once it is back", async (_name, breakIt) => {
    await start();
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    breakIt(world);
    const report = await world.pass();
    expect(report.outcome).toBe("failed");
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } });
    world.repo.down = false;
    world.cluster.down = false;
    world.store.down = false;
    expect((await world.pass()).outcome).toBe("applied");
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "2" } });
  });

  it("stops before the first write when the dry run rejects an object, with the server's message masked", async () => {
    await start();
    world.approvedMerge({
      [file("a.yaml")]: configMap("a", { v: "2" }),
      [file("b.yaml")]: configMap("b", { v: "1" }),
    });
    world.cluster.reject.set(
      key("b"),
      "ConfigMap is invalid: data.token: ghp_abcdefghijklmnopqrstuvwxyz0123456789 is not allowed",
    );
    const writes = world.cluster.writes;
    const report = await world.pass();
    expect(report.outcome).toBe("failed");
    expect(world.cluster.writes - writes).toBe(1); // the inventory (for nothing applied) only
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } });
    expect(JSON.stringify(await world.records())).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(world.reporter.everything()).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    const result = (await world.records()).find((r) => r.kind === "result");
    expect(result?.objects.find((o) => o.key === key("b"))?.outcome).toBe("failed");
  });

  it("resumes a partial failure safely on the next pass", async () => {
    await start();
    const d = world.approvedMerge({
      [file("a.yaml")]: configMap("a", { v: "2" }),
      [file("b.yaml")]: configMap("b", { v: "1" }),
    });
    world.cluster.rejectReal.set(key("b"), "etcdserver: request timed out");
    const first = await world.pass();
    expect(first.outcome).toBe("failed");
    expect(world.cluster.inventory?.objects[key("a")]).toBeDefined(); // known applied
    expect(world.cluster.inventory?.objects[key("b")]).toBeUndefined();
    expect(world.cluster.inventory?.lastAppliedCommit).not.toBe(world.head);
    world.cluster.rejectReal.clear();
    const second = await world.pass();
    expect(second.outcome).toBe("applied");
    expect(second.results?.map((r) => [r.key, r.outcome])).toEqual([[key("b"), "created"]]);
    void d;
  });

  it("recovers a crash between intent and result: the intent is closed as interrupted and the next pass finishes", async () => {
    await start();
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    world.cluster.beforeWrite = () => {
      throw new Error("process killed");
    };
    // The crash: apply raises past the reconciler (simulated by a result that is never written).
    const crashing = world.deps();
    crashing.audit = {
      ...world.audit,
      appendIntent: world.audit.appendIntent.bind(world.audit),
      appendResult: async () => {
        throw new Error("process killed before the result");
      },
      appendRefusal: world.audit.appendRefusal.bind(world.audit),
      appendBaseline: world.audit.appendBaseline.bind(world.audit),
      appendDrift: world.audit.appendDrift.bind(world.audit),
      flushSpool: world.audit.flushSpool.bind(world.audit),
    };
    const { runPass, newPassState } = await import("../../src/reconciler/pass.js");
    expect((await runPass(crashing, newPassState())).outcome).toBe("failed");
    // Restart: a new process, a new AuditLog over the same spool and store.
    world.cluster.beforeWrite = undefined;
    world.audit.close();
    world.audit = world.newAuditLog();
    world.state = newPassState();
    const flushed = await world.audit.flushSpool();
    expect(flushed.interrupted).toBe(1);
    expect((await world.pass()).outcome).toBe("applied");
    const statuses = (await world.records()).filter((r) => r.kind === "result").map((r) => r.status);
    expect(statuses).toEqual(["interrupted", "succeeded"]);
  });

  it("stops applying when the lease is lost, before the next write", async () => {
    await start();
    world.approvedMerge({
      [file("b.yaml")]: configMap("b", { v: "1" }),
      [file("c.yaml")]: configMap("c", { v: "1" }),
    });
    world.cluster.beforeWrite = () => {
      world.cluster.held = false;
    };
    const report = await world.pass();
    expect(report.outcome).toBe("failed");
    // The write in flight when the lease went finishes; the next one is never sent.
    expect([world.cluster.live.has(key("b")), world.cluster.live.has(key("c"))]).toEqual([true, false]);
  });
});

describe("idle passes and drift", () => {
  it("costs one GitHub request (a 304) and no Kubernetes call when nothing changed", async () => {
    await start();
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    expect((await world.pass()).outcome).toBe("applied");
    world.repo.resetCounts();
    const calls = world.cluster.calls;
    expect(await world.pass()).toEqual({ outcome: "idle" });
    expect(world.repo.requests.total).toBe(1);
    expect(world.repo.requests.notModified).toBe(1);
    expect(world.cluster.calls).toBe(calls);
  });

  it("reverts drift to the approved content and audits it", async () => {
    await start({
      [file("a.yaml")]: configMap("a", { v: "1" }),
      [file("b.yaml")]: configMap("b", { v: "1" }),
    });
    world.cluster.live.set(key("a"), {
      ...(world.cluster.live.get(key("a")) ?? {}),
      data: { v: "edited by hand" },
    });
    const report = await world.drift();
    expect(report).toMatchObject({ checked: 2, drifted: [key("a")], reverted: [key("a")], failed: [] });
    expect(world.cluster.live.get(key("a"))).toMatchObject({ data: { v: "1" } });
    const drift = (await world.records()).find((r) => r.kind === "drift");
    expect(drift?.objects.map((o) => [o.key, o.outcome])).toEqual([[key("a"), "configured"]]);
    expect((await world.drift()).drifted).toEqual([]);
  });

  it("reports drift it cannot revert", async () => {
    await start();
    world.cluster.live.delete(key("a"));
    world.cluster.rejectReal.set(key("a"), "quota exceeded");
    const report = await world.drift();
    expect(report.failed).toEqual([{ key: key("a"), message: expect.stringContaining("quota exceeded") }]);
    expect((await world.records()).find((r) => r.kind === "drift")?.message).toContain(
      "could not be reverted",
    );
  });
});

describe("secrets never leave in clear", () => {
  it("keeps a Secret's value out of statuses, comments, logs and audit records, applied or refused", async () => {
    await start();
    const value = "hunter2-Sup3rS3cret-Value-9f8e7d";
    world.approvedMerge({ [file("s.yaml")]: secret("db", value) });
    expect((await world.pass()).outcome).toBe("applied");
    world.directPush({ [file("s.yaml")]: secret("db", `${value}-pushed`) });
    world.cluster.reject.set("/Secret/apps/db", `Secret "db" is invalid: stringData.password: ${value}`);
    expect((await world.pass()).outcome).toBe("refused");
    expect(world.cluster.live.get("/Secret/apps/db")).toMatchObject({ stringData: { password: value } });
    const everything = [
      world.reporter.everything(),
      world.logs.join("\n"),
      JSON.stringify(await world.records()),
    ].join("\n");
    expect(everything).not.toContain(value);
    expect(everything).toContain("/Secret/apps/db");
  });
});
