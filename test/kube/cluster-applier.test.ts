import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterApiError } from "../../src/core/ports/cluster.js";
import { KubeClusterApplier } from "../../src/kube/cluster-applier.js";
import { createKubeClient } from "../../src/kube/client.js";
import type { KubeHttpClient } from "../../src/kube/kube-http.js";
import { FakeKubeApi } from "../support/fake-kube-api.js";

let api: FakeKubeApi;
let client: KubeHttpClient;
let applier: KubeClusterApplier;

beforeEach(async () => {
  api = await FakeKubeApi.start();
  client = createKubeClient({
    access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() },
    retryBaseMs: 1,
  });
  applier = new KubeClusterApplier(client);
});
afterEach(async () => {
  client.close();
  await api.close();
});

const cm = (data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "app", namespace: "default", ...(labels ? { labels } : {}) },
  data,
});

const deployment = (replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: { replicas, template: { spec: { containers: [{ name: "app", image: "registry.example/app:1" }] } } },
});

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Cluster",
    names: { plural: "widgets", singular: "widget", kind: "Widget" },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
  },
};

describe("KubeClusterApplier", () => {
  it("tells created, unchanged and configured apart", async () => {
    const first = await applier.apply(cm({ a: "1" }), { dryRun: false, force: false });
    expect(first.result).toBe("created");
    expect(first.live["data"]).toEqual({ a: "1" });
    const managedFields = (
      first.live["metadata"] as { managedFields: { manager: string; operation: string }[] }
    ).managedFields;
    expect(managedFields.map((m) => [m.manager, m.operation])).toEqual([["countersign", "Apply"]]);
    expect((await applier.apply(cm({ a: "1" }), { dryRun: false, force: false })).result).toBe("unchanged");
    expect((await applier.apply(cm({ a: "2" }), { dryRun: false, force: false })).result).toBe("configured");
    expect(api.object("", "configmaps", "default", "app")?.["data"]).toEqual({ a: "2" });
  });

  it("removes a field it stops applying, and bumps generation only on spec changes", async () => {
    await applier.apply(deployment(1), { dryRun: false, force: false });
    await applier.apply(cm({ a: "1", b: "2" }, { tier: "web" }), { dryRun: false, force: false });
    await applier.apply(cm({ a: "1" }), { dryRun: false, force: false });
    const live = api.object("", "configmaps", "default", "app")!;
    expect(live["data"]).toEqual({ a: "1" });
    expect((live["metadata"] as Record<string, unknown>)["labels"]).toBeUndefined();
    const generation = (o: Record<string, unknown> | undefined) =>
      (o?.["metadata"] as { generation?: number }).generation;
    expect(generation(api.object("apps", "deployments", "default", "web"))).toBe(1);
    await applier.apply(deployment(3), { dryRun: false, force: false });
    expect(generation(api.object("apps", "deployments", "default", "web"))).toBe(2);
  });

  it("dry run reports what would happen and persists nothing", async () => {
    const dry = await applier.apply(cm({ a: "1" }), { dryRun: true, force: false });
    expect(dry.result).toBe("created");
    expect(api.object("", "configmaps", "default", "app")).toBeUndefined();
    await applier.apply(cm({ a: "1" }), { dryRun: false, force: false });
    expect((await applier.apply(cm({ a: "1" }), { dryRun: true, force: false })).result).toBe("unchanged");
    const changed = await applier.apply(cm({ a: "9" }), { dryRun: true, force: false });
    expect(changed.result).toBe("configured");
    expect(changed.live["data"]).toEqual({ a: "9" });
    expect(api.object("", "configmaps", "default", "app")?.["data"]).toEqual({ a: "1" });
    const query = api.requests.filter((r) => r.method === "PATCH").map((r) => r.query);
    expect(query[0]).toEqual({ fieldManager: "countersign", dryRun: "All" });
  });

  it("fails with a field-manager conflict unless forced", async () => {
    const other = new KubeClusterApplier(client, { fieldManager: "kubectl" });
    await other.apply(cm({ a: "theirs" }), { dryRun: false, force: false });
    const error = await applier
      .apply(cm({ a: "ours" }), { dryRun: false, force: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterApiError);
    expect(error).toMatchObject({ status: 409, reason: "Conflict" });
    expect((error as Error).message).toContain('conflict with "kubectl"');
    const forced = await applier.apply(cm({ a: "ours" }), { dryRun: false, force: true });
    expect(forced.result).toBe("configured");
    expect(forced.live["data"]).toEqual({ a: "ours" });
    // Same value as another manager: shared ownership, no conflict.
    await other.apply(cm({ a: "ours" }), { dryRun: false, force: false });
  });

  it("deletes with foreground propagation and tolerates an absent object", async () => {
    await applier.apply(cm({ a: "1" }), { dryRun: false, force: false });
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "app" };
    expect(await applier.delete(ref, { dryRun: true })).toBe("deleted");
    expect(await applier.get(ref)).toBeDefined();
    expect(await applier.delete(ref, { dryRun: false })).toBe("deleted");
    expect(await applier.get(ref)).toBeUndefined();
    expect(await applier.delete(ref, { dryRun: false })).toBe("absent");
    expect(
      await applier.delete({ ...ref, apiVersion: "gone.example.com/v1", kind: "Gone" }, { dryRun: false }),
    ).toBe("absent");
  });

  it("learns the scope of a CRD's kind once the CRD is Established", async () => {
    expect(await applier.scopeOf("v1", "Namespace")).toBe("Cluster");
    expect(await applier.scopeOf("apps/v1", "Deployment")).toBe("Namespaced");
    expect(await applier.scopeOf("example.com/v1", "Widget")).toBeUndefined();
    await applier.apply(crd, { dryRun: false, force: false });
    await applier.waitForCrdEstablished("widgets.example.com", 5_000);
    expect(await applier.scopeOf("example.com/v1", "Widget")).toBe("Cluster");
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 1 },
    };
    expect((await applier.apply(widget, { dryRun: false, force: false })).result).toBe("created");
  });

  it("waits for a delayed CRD, and times out on one that never becomes Established", async () => {
    await api.close();
    api = await FakeKubeApi.start({ crdEstablishDelayMs: 50 });
    client = createKubeClient({ access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() } });
    let now = 0;
    const waiting = new KubeClusterApplier(client, {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
        await new Promise((r) => setTimeout(r, 10));
      },
    });
    await waiting.apply(crd, { dryRun: false, force: false });
    await waiting.waitForCrdEstablished("widgets.example.com", 60_000);
    expect(await waiting.scopeOf("example.com/v1", "Widget")).toBe("Cluster");
    const timeout = await waiting.waitForCrdEstablished("absent.example.com", 1_000).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ status: 504, reason: "Timeout" });
  });

  it("maps validation, namespace and unknown-kind errors to ClusterApiError", async () => {
    const badName = { ...cm({}), metadata: { name: "Not_Valid", namespace: "default" } };
    await expect(applier.apply(badName, { dryRun: true, force: false })).rejects.toMatchObject({
      status: 422,
      reason: "Invalid",
    });
    const noNamespace = { ...cm({}), metadata: { name: "app", namespace: "missing" } };
    await expect(applier.apply(noNamespace, { dryRun: false, force: false })).rejects.toMatchObject({
      status: 404,
      reason: "NotFound",
    });
    const unknown = { apiVersion: "nope.example.com/v1", kind: "Nope", metadata: { name: "x" } };
    await expect(applier.apply(unknown, { dryRun: false, force: false })).rejects.toMatchObject({
      status: 404,
    });
    const clusterScopedWithNs = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "x", namespace: "default" },
    };
    await expect(applier.apply(clusterScopedWithNs, { dryRun: false, force: false })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("retries idempotent requests after a 500 and fails after the last attempt", async () => {
    api.injectFault({ status: 500, method: "PATCH", times: 2 });
    expect((await applier.apply(cm({ a: "1" }), { dryRun: false, force: false })).result).toBe("created");
    api.injectFault({ status: 503, method: "PATCH", times: 3 });
    await expect(applier.apply(cm({ a: "2" }), { dryRun: false, force: false })).rejects.toMatchObject({
      status: 503,
    });
  });

  it("reports an unreachable API server as status 0", async () => {
    api.refuseConnections(true);
    const error = await applier
      .get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, reason: "Unreachable" });
  });
});
