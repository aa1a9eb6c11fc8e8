/**
 * The cluster integration suite: the same test bodies run against a real API server
 * (real-cluster.test.ts, `npm run test:cluster`) and against the fake API server
 * (fake-cluster.test.ts, in `npm test`, so the suite itself is known to work).
 *
 * Everything lives in one fresh namespace and one CRD with a unique group, deleted at the end.
 * It tolerates a cluster without a controller-manager: no pods are needed, a foreground delete
 * may leave the object with a deletionTimestamp (the garbage collector removes it), and the
 * namespace may stay Terminating.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/core/model.js";
import { ClusterApiError } from "../../src/core/ports/cluster.js";
import type { Inventory } from "../../src/core/ports/cluster.js";
import { KubeClusterApplier } from "../../src/kube/cluster-applier.js";
import { createClusterAccess } from "../../src/kube/cluster-access.js";
import type { ClusterAccess } from "../../src/kube/cluster-access.js";
import { KubeLeaderLease } from "../../src/kube/leader-lease.js";

export interface SuiteTarget {
  kubeconfig: string;
  context?: string;
}

const FOREIGN_MANAGER = "countersign-it-other";

export function defineClusterSuite(title: string, target: () => Promise<SuiteTarget>): void {
  describe(title, () => {
    const suffix = randomBytes(4).toString("hex");
    const namespace = `countersign-it-${suffix}`;
    const group = `it${suffix}.countersign.dev`;
    const crdName = `widgets.${group}`;
    let access: ClusterAccess;
    let applier: KubeClusterApplier;
    let kubeAccess: { mode: "kubeconfig"; kubeconfig: string; context?: string };

    const configMap = (name: string, data: Record<string, string>): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "countersign-it" } },
      data,
    });
    const gone = (o: KubeObject | undefined) =>
      o === undefined || (o["metadata"] as { deletionTimestamp?: string }).deletionTimestamp !== undefined;

    beforeAll(async () => {
      const t = await target();
      kubeAccess = {
        mode: "kubeconfig",
        kubeconfig: t.kubeconfig,
        ...(t.context ? { context: t.context } : {}),
      };
      access = createClusterAccess({
        access: kubeAccess,
        inventory: { namespace, name: "countersign-inventory", cluster: "it" },
      });
      applier = access.applier as KubeClusterApplier;
      const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
      expect((await applier.apply(ns, { dryRun: false, force: false })).result).toBe("created");
    });

    afterAll(async () => {
      if (!access) return;
      // Background deletes: removed at once, even without a garbage collector.
      const remove = async (path: string) => {
        await access.client
          .request({
            method: "DELETE",
            path,
            body: { propagationPolicy: "Background" },
            operation: `cleaning up ${path}`,
          })
          .catch(() => undefined);
      };
      const listed = await access.client
        .request({
          method: "GET",
          path: `/api/v1/namespaces/${namespace}/configmaps`,
          operation: "listing for cleanup",
        })
        .catch(() => undefined);
      for (const item of (listed?.body as { items?: KubeObject[] } | undefined)?.items ?? []) {
        await remove(
          `/api/v1/namespaces/${namespace}/configmaps/${(item["metadata"] as { name: string }).name}`,
        );
      }
      await remove(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/countersign-it`);
      await remove(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`);
      await remove(`/api/v1/namespaces/${namespace}`);
      access.close();
    });

    it("applies, updates, leaves unchanged and prunes an object", async () => {
      const ref = { apiVersion: "v1", kind: "ConfigMap", namespace, name: "app" };
      expect(
        (await applier.apply(configMap("app", { a: "1", b: "2" }), { dryRun: false, force: false })).result,
      ).toBe("created");
      expect(
        (await applier.apply(configMap("app", { a: "1", b: "2" }), { dryRun: false, force: false })).result,
      ).toBe("unchanged");
      const updated = await applier.apply(configMap("app", { a: "2" }), { dryRun: false, force: false });
      expect(updated.result).toBe("configured");
      // A field no longer applied (and owned by nobody else) is removed.
      expect((await applier.get(ref))?.["data"]).toEqual({ a: "2" });
      expect(await applier.delete(ref, { dryRun: false })).toBe("deleted");
      expect(gone(await applier.get(ref))).toBe(true);
    });

    it("dry-runs without persisting, and reports the server's rejection", async () => {
      const dry = await applier.apply(configMap("dry", { a: "1" }), { dryRun: true, force: false });
      expect(dry.result).toBe("created");
      expect(
        await applier.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "dry" }),
      ).toBeUndefined();
      const invalid = configMap("Invalid_Name", { a: "1" });
      const error = await applier.apply(invalid, { dryRun: true, force: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterApiError);
      expect(error).toMatchObject({ status: 422, reason: "Invalid" });
      expect((error as Error).message).toContain("Invalid_Name");
    });

    it("meets a field-manager conflict, and takes the field only when forced", async () => {
      const other = new KubeClusterApplier(access.client, { fieldManager: FOREIGN_MANAGER });
      await other.apply(configMap("shared", { owner: "other" }), { dryRun: false, force: false });
      const conflict = await applier
        .apply(configMap("shared", { owner: "countersign" }), { dryRun: false, force: false })
        .catch((e: unknown) => e);
      expect(conflict).toMatchObject({ status: 409, reason: "Conflict" });
      expect((conflict as Error).message).toContain(FOREIGN_MANAGER);
      const forced = await applier.apply(configMap("shared", { owner: "countersign" }), {
        dryRun: false,
        force: true,
      });
      expect(forced.result).toBe("configured");
      expect(forced.live["data"]).toEqual({ owner: "countersign" });
    });

    it("applies a CRD, waits until it is Established, then applies a custom resource", async () => {
      const crd = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: crdName },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
                },
              },
            },
          ],
        },
      };
      expect(await applier.scopeOf(`${group}/v1`, "Widget")).toBeUndefined();
      expect((await applier.apply(crd, { dryRun: false, force: false })).result).toBe("created");
      await applier.waitForCrdEstablished(crdName, 60_000);
      expect(await applier.scopeOf(`${group}/v1`, "Widget")).toBe("Namespaced");
      const widget = {
        apiVersion: `${group}/v1`,
        kind: "Widget",
        metadata: { name: "w", namespace },
        spec: { size: 3 },
      };
      expect((await applier.apply(widget, { dryRun: false, force: false })).result).toBe("created");
      expect((await applier.apply(widget, { dryRun: false, force: false })).result).toBe("unchanged");
    });

    it("writes and reads the inventory back, replacing its shards", async () => {
      const store = access.inventory;
      expect(await store.read()).toBeUndefined();
      const objects: Inventory["objects"] = {};
      for (let i = 0; i < 2_000; i++) {
        objects[`/ConfigMap/${namespace}/cm-${i}`] = {
          apiVersion: "v1",
          digest: randomBytes(32).toString("hex"),
        };
      }
      const first: Inventory = {
        cluster: "it",
        lastAppliedCommit: "1".repeat(40),
        objects,
        updatedAt: new Date().toISOString(),
      };
      await store.write(first);
      const second = { ...first, lastAppliedCommit: "2".repeat(40) };
      await store.write(second);
      const fresh = createClusterAccess({
        access: kubeAccess,
        inventory: { namespace, name: "countersign-inventory", cluster: "it" },
      });
      try {
        expect(await fresh.inventory.read()).toEqual(second);
        // A writer holding an older view is refused.
        await expect(fresh.inventory.write(first)).resolves.toBeUndefined();
        await expect(store.write(second)).rejects.toMatchObject({ status: 409 });
      } finally {
        fresh.close();
      }
    });

    it("hands the lease over on release, and refuses a second holder", async () => {
      const options = { namespace, name: "countersign-it", leaseDurationSeconds: 30 };
      const a = new KubeLeaderLease(access.client, { ...options, identity: "replica-a" });
      const b = new KubeLeaderLease(access.client, { ...options, identity: "replica-b" });
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      await a.release();
      expect(a.isHeld()).toBe(false);
      expect(await b.tryAcquireOrRenew()).toBe(true);
      expect(b.isHeld()).toBe(true);
      expect(await a.tryAcquireOrRenew()).toBe(false);
      await b.release();
    });
  });
}
