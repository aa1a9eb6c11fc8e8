import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Inventory } from "../../src/core/ports/cluster.js";
import { createKubeClient } from "../../src/kube/client.js";
import { InventoryCorruptError } from "../../src/kube/inventory-codec.js";
import { ConfigMapInventoryStore } from "../../src/kube/inventory-store.js";
import type { KubeHttpClient } from "../../src/kube/kube-http.js";
import { FakeKubeApi } from "../support/fake-kube-api.js";

let api: FakeKubeApi;
let client: KubeHttpClient;

beforeEach(async () => {
  api = await FakeKubeApi.start();
  client = createKubeClient({
    access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() },
    retryBaseMs: 1,
  });
});
afterEach(async () => {
  client.close();
  await api.close();
});

const store = (shardBytes?: number) =>
  new ConfigMapInventoryStore(client, {
    namespace: "kube-system",
    name: "countersign-inventory",
    cluster: "prod",
    ...(shardBytes ? { shardBytes } : {}),
  });

/** Digests are random-looking hex, as real ones: they do not compress away. */
function inventory(count: number, commit = "a".repeat(40)): Inventory {
  const objects: Inventory["objects"] = {};
  for (let i = 0; i < count; i++) {
    objects[`apps/Deployment/team-${i % 50}/app-${i}`] = {
      apiVersion: "apps/v1",
      digest: createHash("sha256").update(`${commit}:${i}`).digest("hex"),
    };
  }
  return { cluster: "prod", lastAppliedCommit: commit, objects, updatedAt: "2026-01-01T00:00:00.000Z" };
}

const names = () =>
  api
    .objects("", "configmaps")
    .map((o) => (o["metadata"] as { name: string }).name)
    .sort();

describe("ConfigMapInventoryStore", () => {
  it("reads nothing before the first write, then round-trips", async () => {
    const s = store();
    expect(await s.read()).toBeUndefined();
    await s.write(inventory(3));
    expect(await store().read()).toEqual(inventory(3));
    expect(names()).toEqual(["countersign-inventory", "countersign-inventory-0"]);
  });

  it("fits 10,000 objects in ConfigMaps under the 1 MiB limit (the fake enforces it)", async () => {
    const s = store();
    await s.read();
    await s.write(inventory(10_000));
    expect(await store().read()).toEqual(inventory(10_000));
    for (const o of api.objects("", "configmaps")) {
      const data = (o["binaryData"] ?? {}) as Record<string, string>;
      const bytes = Object.values(data).reduce((n, v) => n + Buffer.from(v, "base64").length, 0);
      expect(bytes).toBeLessThan(1024 * 1024);
    }
  });

  it("alternates shard sets and removes the stale shards after a successful write", async () => {
    const s = store(2_000);
    await s.read();
    await s.write(inventory(200, "1".repeat(40)));
    const first = names();
    expect(first.length).toBeGreaterThan(2); // sharded
    expect(
      first.filter((n) => n !== "countersign-inventory").every((n) => Number(n.split("-").pop()) % 2 === 0),
    ).toBe(true);
    await s.write(inventory(20, "2".repeat(40)));
    const second = names().filter((n) => n !== "countersign-inventory");
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((n) => Number(n.split("-").pop()) % 2 === 1)).toBe(true);
    expect(await store(2_000).read()).toEqual(inventory(20, "2".repeat(40)));
  });

  it("refuses to write over an inventory it did not read, or that changed since", async () => {
    await (async () => {
      const s = store();
      await s.read();
      await s.write(inventory(1, "1".repeat(40)));
    })();
    await expect(store().write(inventory(1, "2".repeat(40)))).rejects.toMatchObject({
      status: 409,
      reason: "Conflict",
    });
    const a = store();
    const b = store();
    await a.read();
    await b.read();
    await a.write(inventory(2, "3".repeat(40)));
    await expect(b.write(inventory(2, "4".repeat(40)))).rejects.toMatchObject({ status: 409 });
    expect((await store().read())?.lastAppliedCommit).toBe("3".repeat(40));
    // The first write ever races too: two stores that both saw no inventory.
    await api.close();
    api = await FakeKubeApi.start();
    client = createKubeClient({ access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() } });
    const c = store();
    const d = store();
    await c.read();
    await d.read();
    await c.write(inventory(1));
    await expect(d.write(inventory(1))).rejects.toMatchObject({ status: 409 });
  });

  it("keeps the previous inventory whole when a write dies before the manifest", async () => {
    const s = store(2_000);
    await s.read();
    await s.write(inventory(100, "1".repeat(40)));
    api.injectFault({
      status: 500,
      method: "PUT",
      pathIncludes: "/configmaps/countersign-inventory",
      times: 1,
    });
    // The manifest PUT is the only PUT on /countersign-inventory exactly; shards are POSTed (new) here.
    await expect(s.write(inventory(100, "2".repeat(40)))).rejects.toMatchObject({ status: 500 });
    expect((await store(2_000).read())?.lastAppliedCommit).toBe("1".repeat(40));
    // The next write recovers over the half-written shard set.
    await s.write(inventory(100, "3".repeat(40)));
    expect((await store(2_000).read())?.lastAppliedCommit).toBe("3".repeat(40));
  });

  it("fails closed on a torn or tampered shard set", async () => {
    const s = store(2_000);
    await s.read();
    await s.write(inventory(200));
    const shard = "countersign-inventory-2";
    const live = api.object("", "configmaps", "kube-system", shard)!;
    // Replace one shard's bytes behind the manifest's back.
    const tamper = await client.request({
      method: "PUT",
      path: `/api/v1/namespaces/kube-system/configmaps/${shard}`,
      body: { ...live, binaryData: { "inventory.json.gz": Buffer.from("not the shard").toString("base64") } },
      operation: "tampering",
    });
    expect(tamper.status).toBe(200);
    await expect(store(2_000).read()).rejects.toBeInstanceOf(InventoryCorruptError);
    await client.request({
      method: "DELETE",
      path: `/api/v1/namespaces/kube-system/configmaps/${shard}`,
      operation: "deleting",
    });
    await expect(store(2_000).read()).rejects.toThrow(/shard countersign-inventory-2 is missing/);
  });

  it("refuses a manifest of another cluster or format", async () => {
    await client.request({
      method: "POST",
      path: "/api/v1/namespaces/kube-system/configmaps",
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "countersign-inventory" },
        data: { "manifest.json": JSON.stringify({ format: 1, cluster: "staging" }) },
      },
      operation: "planting",
    });
    await expect(store().read()).rejects.toThrow(/belongs to cluster "staging"/);
  });
});
