import { afterEach, describe, expect, it } from "vitest";
import { ReconcilerDaemon } from "../../src/reconciler/daemon.js";
import { createReconcilerMetrics } from "../../src/reconciler/metrics.js";
import { configMap, file, World } from "./fakes/world.js";

let world: World;
afterEach(() => world?.dispose());

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

describe("ReconcilerDaemon", () => {
  it("serves health, readiness and metrics, runs a pass at start, and stops cleanly", async () => {
    world = await World.create({ [file("a.yaml")]: configMap("a", { v: "1" }) });
    await world.baseline();
    world.approvedMerge({ [file("a.yaml")]: configMap("a", { v: "2" }) });
    const daemon = new ReconcilerDaemon({
      deps: world.deps(),
      // Far-off schedules: only the pass the start runs, and the one asked for, happen.
      schedule: { pass: "0 0 1 1 *", drift: "0 0 1 1 *" },
      metrics: createReconcilerMetrics(),
      port: 0,
      leaseRenewMs: 60_000,
    });
    const port = await daemon.start();
    const report = await daemon.runOnce();
    expect(report?.outcome).toBe("applied"); // joined the pass the start queued
    expect(world.cluster.live.get("/ConfigMap/apps/a")).toMatchObject({ data: { v: "2" } });
    expect(await get(port, "/healthz")).toEqual({ status: 200, text: "ok\n" });
    expect((await get(port, "/readyz")).status).toBe(200);
    const metrics = (await get(port, "/metrics")).text;
    expect(metrics).toContain('countersign_reconcile_passes_total{outcome="applied"} 1');
    expect(metrics).toContain('countersign_reconcile_objects_total{result="configured"} 1');
    world.cluster.held = false; // another replica took the lease
    expect((await get(port, "/readyz")).status).toBe(503);
    world.cluster.held = true;
    await daemon.stop();
    expect(world.cluster.held).toBe(false); // released
    await expect(get(port, "/healthz")).rejects.toThrow();
  });
});
