import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import type { KubeHttpClient } from "../../src/kube/kube-http.js";
import { KubeLeaderLease } from "../../src/kube/leader-lease.js";
import { FakeKubeApi } from "../support/fake-kube-api.js";

let api: FakeKubeApi;
let client: KubeHttpClient;
let clock = 0;

beforeEach(async () => {
  api = await FakeKubeApi.start();
  client = createKubeClient({
    access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() },
    retryBaseMs: 1,
  });
  clock = 1_000_000;
});
afterEach(async () => {
  client.close();
  await api.close();
});

const lease = (identity: string) =>
  new KubeLeaderLease(client, {
    namespace: "kube-system",
    name: "countersign-reconciler",
    identity,
    leaseDurationSeconds: 15,
    now: () => Date.UTC(2026, 0, 1) + clock,
    monotonic: () => clock,
  });

const spec = () =>
  api.object("coordination.k8s.io", "leases", "kube-system", "countersign-reconciler")?.["spec"] as Record<
    string,
    unknown
  >;

describe("KubeLeaderLease", () => {
  it("creates the lease when there is none, renews it, and holds it by local time with a margin", async () => {
    const a = lease("pod-a");
    expect(a.isHeld()).toBe(false);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(spec()).toMatchObject({
      holderIdentity: "pod-a",
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
      renewTime: "2026-01-01T00:16:40.000000Z",
    });
    expect(a.isHeld()).toBe(true);
    clock += 9_999;
    expect(a.isHeld()).toBe(true);
    clock += 1; // 15 s minus the 5 s margin
    expect(a.isHeld()).toBe(false);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(a.isHeld()).toBe(true);
  });

  it("does not take a live lease, and takes it over once seen unchanged for a whole duration", async () => {
    const a = lease("pod-a");
    const b = lease("pod-b");
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock += 10_000;
    expect(await a.tryAcquireOrRenew()).toBe(true); // renewed: b's observation starts again
    clock += 10_000;
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock += 15_001; // a stopped renewing
    expect(a.isHeld()).toBe(false);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(spec()).toMatchObject({ holderIdentity: "pod-b", leaseTransitions: 1 });
    // a comes back: it sees the lease is b's now and stops.
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(a.isHeld()).toBe(false);
  });

  it("hands over at once on release", async () => {
    const a = lease("pod-a");
    const b = lease("pod-b");
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    await a.release();
    expect(a.isHeld()).toBe(false);
    expect(spec()).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(spec()).toMatchObject({ holderIdentity: "pod-b", leaseDurationSeconds: 15, leaseTransitions: 1 });
    // Releasing a lease one does not hold writes nothing.
    api.resetRequests();
    await a.release();
    expect(api.writeRequests()).toEqual([]);
  });

  it("loses a race by resourceVersion, not by overwriting", async () => {
    const a = lease("pod-a");
    const b = lease("pod-b");
    await a.tryAcquireOrRenew();
    clock += 20_000;
    await b.tryAcquireOrRenew(); // first sight of a's lease: not yet expired for b
    clock += 16_000;
    // a renews between b's read and b's write: b's update carries the old resourceVersion.
    api.injectFault({ status: 409, method: "PUT", times: 1 });
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(b.isHeld()).toBe(false);
  });

  it("keeps holding by time through an unreachable API server, then stops", async () => {
    const a = lease("pod-a");
    await a.tryAcquireOrRenew();
    clock += 5_000;
    api.refuseConnections(true);
    await expect(a.tryAcquireOrRenew()).rejects.toMatchObject({ status: 0 });
    expect(a.isHeld()).toBe(true);
    clock += 5_000;
    expect(a.isHeld()).toBe(false);
  });
});
