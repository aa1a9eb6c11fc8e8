/** The fake API server's own semantics, checked through the production client. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import { KubeHttpClient } from "../../src/kube/kube-http.js";
import type { KubeRequest } from "../../src/kube/kube-http.js";
import { KubeConfig } from "@kubernetes/client-node";
import { FakeKubeApi } from "../support/fake-kube-api.js";

let api: FakeKubeApi;
let client: KubeHttpClient;
const CM = "/api/v1/namespaces/default/configmaps";

beforeEach(async () => {
  api = await FakeKubeApi.start({ token: "test-token" });
  client = createKubeClient({
    access: { mode: "kubeconfig", kubeconfig: await api.writeKubeconfig() },
    maxAttempts: 1,
  });
});
afterEach(async () => {
  client.close();
  await api.close();
});

const send = (req: Omit<KubeRequest, "operation">) => client.request({ ...req, operation: "test" });
const fail = (req: Omit<KubeRequest, "operation">) =>
  send(req).then(
    () => undefined,
    (e: unknown) => e,
  );
const apply = (
  manager: string,
  data: Record<string, string>,
  opts: { force?: boolean; dryRun?: boolean; name?: string } = {},
) =>
  send({
    method: "PATCH",
    path: `${CM}/${opts.name ?? "app"}`,
    query: {
      fieldManager: manager,
      ...(opts.force ? { force: "true" } : {}),
      ...(opts.dryRun ? { dryRun: "All" } : {}),
    },
    contentType: "application/apply-patch+yaml",
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: opts.name ?? "app" }, data },
  });
const data = () => api.object("", "configmaps", "default", "app")?.["data"];

describe("FakeKubeApi", () => {
  it("answers discovery, and serves a CRD's kind once Established", async () => {
    const core = (await send({ method: "GET", path: "/api/v1" })).body as {
      resources: { name: string; namespaced: boolean }[];
    };
    expect(core.resources.find((r) => r.name === "namespaces")?.namespaced).toBe(false);
    const groups = (await send({ method: "GET", path: "/apis" })).body as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain("apps");
    expect(await fail({ method: "GET", path: "/apis/example.com/v1" })).toMatchObject({ status: 404 });
    await send({
      method: "POST",
      path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      body: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { plural: "widgets", kind: "Widget" },
          versions: [{ name: "v1", served: true }],
        },
      },
    });
    const listed = (await send({ method: "GET", path: "/apis/example.com/v1" })).body as {
      resources: { name: string; kind: string; namespaced: boolean }[];
    };
    expect(listed.resources[0]).toMatchObject({ name: "widgets", kind: "Widget", namespaced: true });
  });

  it("rejects requests without the bearer token", async () => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: "c", server: api.url, skipTLSVerify: true },
      { name: "u", token: "wrong" },
    );
    const wrong = new KubeHttpClient(kc, { maxAttempts: 1 });
    expect(
      await wrong.request({ method: "GET", path: "/api", operation: "x" }).catch((e: unknown) => e),
    ).toMatchObject({ status: 401 });
    wrong.close();
    expect((await send({ method: "GET", path: "/api" })).status).toBe(200);
  });

  it("conflicts with an Update manager's differing value, shares an equal one, and moves ownership on force", async () => {
    await send({
      method: "POST",
      path: CM,
      query: { fieldManager: "kubectl-edit" },
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: { a: "1", b: "2" } },
    });
    expect(await apply("countersign", { a: "1" })).toMatchObject({ status: 200 }); // equal value: shared
    const error = await apply("countersign", { a: "1", b: "3" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, reason: "Conflict" });
    expect((error as Error).message).toBe(
      'test: 409 Conflict: Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.b',
    );
    await apply("countersign", { a: "1", b: "3" }, { force: true });
    expect(data()).toEqual({ a: "1", b: "3" });
    // countersign stops applying a and b: b is its own and goes; a is still kubectl-edit's too and stays.
    await apply("countersign", { c: "4" });
    expect(data()).toEqual({ a: "1", c: "4" });
  });

  it("persists nothing on dry run and writes nothing on a no-op apply", async () => {
    const dry = await apply("countersign", { a: "1" }, { dryRun: true });
    expect(dry.status).toBe(201);
    expect(data()).toBeUndefined();
    const created = await apply("countersign", { a: "1" });
    expect(created.status).toBe(201);
    const rv = (created.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const again = await apply("countersign", { a: "1" });
    expect(again.status).toBe(200);
    expect((again.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe(rv);
  });

  it("enforces resourceVersion preconditions, AlreadyExists and missing namespaces", async () => {
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: { a: "1" } };
    await send({ method: "POST", path: CM, body });
    expect(await fail({ method: "POST", path: CM, body })).toMatchObject({
      status: 409,
      reason: "AlreadyExists",
    });
    expect(
      await fail({
        method: "PUT",
        path: `${CM}/app`,
        body: { ...body, metadata: { name: "app", resourceVersion: "1" } },
      }),
    ).toMatchObject({ status: 409, reason: "Conflict" });
    expect(await fail({ method: "POST", path: "/api/v1/namespaces/missing/configmaps", body })).toMatchObject(
      { status: 404, message: expect.stringContaining('namespaces "missing" not found') },
    );
  });

  it("enforces the 1 MiB ConfigMap limit (422) and the 3 MiB request limit (413)", async () => {
    const big = (bytes: number) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "big" },
      binaryData: { b: Buffer.alloc(bytes).toString("base64") },
    });
    expect(await fail({ method: "POST", path: CM, body: big(1024 * 1024) })).toMatchObject({
      status: 422,
      reason: "Invalid",
    });
    expect(await send({ method: "POST", path: CM, body: big(1000 * 1024) })).toMatchObject({ status: 201 });
    expect(await fail({ method: "POST", path: CM, body: big(3 * 1024 * 1024) })).toMatchObject({
      status: 413,
    });
  });

  it("refuses other patch types and apply without a field manager", async () => {
    await apply("countersign", { a: "1" });
    expect(
      await fail({
        method: "PATCH",
        path: `${CM}/app`,
        contentType: "application/merge-patch+json",
        body: {},
      }),
    ).toMatchObject({ status: 415 });
    expect(
      await fail({
        method: "PATCH",
        path: `${CM}/app`,
        contentType: "application/apply-patch+yaml",
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" } },
      }),
    ).toMatchObject({ status: 400 });
  });

  it("lists by label selector", async () => {
    for (const [name, tier] of [
      ["a", "web"],
      ["b", "db"],
      ["c", "web"],
    ] as const) {
      await send({
        method: "POST",
        path: CM,
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { tier } } },
      });
    }
    const names = async (labelSelector: string) =>
      (
        (await send({ method: "GET", path: CM, query: { labelSelector } })).body as {
          items: { metadata: { name: string } }[];
        }
      ).items
        .map((i) => i.metadata.name)
        .sort();
    expect(await names("tier=web")).toEqual(["a", "c"]);
    expect(await names("tier!=web")).toEqual(["b"]);
    expect(await names("!tier")).toEqual([]);
  });
});
