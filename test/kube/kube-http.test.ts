import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClusterApplier } from "../../src/kube/cluster-applier.js";
import { KubeHttpClient } from "../../src/kube/kube-http.js";
import { redactCredentials } from "../../src/kube/redact.js";

const SERVER = "https://kube.example.test:6443";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ.c2lnbmF0dXJlLXZhbHVl";

function client(): KubeHttpClient {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: "c", server: SERVER, skipTLSVerify: false }, { name: "u", token: TOKEN });
  return new KubeHttpClient(kc, { retryBaseMs: 1 });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("KubeHttpClient and the applier's request shapes", () => {
  it("discovers, reads, then applies the exact object as an apply patch with the bearer token", async () => {
    // A field the generated client models do not know must reach the server untouched.
    const object = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "prod" },
      spec: { replicas: 2, futureField: { enabled: true } },
    };
    const scope = nock(SERVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get("/apis/apps/v1")
      .reply(200, {
        kind: "APIResourceList",
        groupVersion: "apps/v1",
        resources: [
          { name: "deployments/status", kind: "Deployment", namespaced: true },
          { name: "deployments", kind: "Deployment", namespaced: true },
        ],
      })
      .get("/apis/apps/v1/namespaces/prod/deployments/web")
      .reply(404, {
        kind: "Status",
        reason: "NotFound",
        code: 404,
        message: 'deployments.apps "web" not found',
      })
      .patch(
        "/apis/apps/v1/namespaces/prod/deployments/web",
        (body) => JSON.stringify(body) === JSON.stringify(object),
      )
      .query({ fieldManager: "countersign", force: "true" })
      .matchHeader("content-type", "application/apply-patch+yaml")
      .reply(201, { ...object, metadata: { ...object.metadata, resourceVersion: "7" } });
    const c = client();
    const outcome = await new KubeClusterApplier(c).apply(object, { dryRun: false, force: true });
    expect(outcome.result).toBe("created");
    expect(scope.pendingMocks()).toEqual([]);
    c.close();
  });

  it("sends foreground DeleteOptions and dryRun=All", async () => {
    const scope = nock(SERVER)
      .get("/api/v1")
      .reply(200, { resources: [{ name: "configmaps", kind: "ConfigMap", namespaced: true }] })
      .delete("/api/v1/namespaces/prod/configmaps/app", {
        apiVersion: "v1",
        kind: "DeleteOptions",
        propagationPolicy: "Foreground",
      })
      .query({ dryRun: "All" })
      .reply(200, { kind: "Status", status: "Success" });
    const c = client();
    expect(
      await new KubeClusterApplier(c).delete(
        { apiVersion: "v1", kind: "ConfigMap", namespace: "prod", name: "app" },
        { dryRun: true },
      ),
    ).toBe("deleted");
    expect(scope.pendingMocks()).toEqual([]);
    c.close();
  });

  it("keeps the token out of error messages even when the server echoes it", async () => {
    const scope = nock(SERVER)
      .get("/api/v1/namespaces")
      .reply(401, {
        kind: "Status",
        reason: "Unauthorized",
        code: 401,
        message: `token Bearer ${TOKEN} rejected`,
      });
    const c = client();
    const error = await c
      .request({ method: "GET", path: "/api/v1/namespaces", operation: "listing namespaces" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, reason: "Unauthorized" });
    expect((error as Error).message).not.toContain(TOKEN.slice(20));
    expect((error as Error).message).toBe(
      "listing namespaces: 401 Unauthorized: token Bearer [redacted] rejected",
    );
    expect(scope.pendingMocks()).toEqual([]);
    c.close();
  });

  it("does not repeat a create after a 500 (it may have been written)", async () => {
    const scope = nock(SERVER)
      .post("/api/v1/namespaces")
      .reply(500, { kind: "Status", code: 500, message: "boom" });
    const c = client();
    await expect(
      c.request({ method: "POST", path: "/api/v1/namespaces", body: {}, operation: "creating" }),
    ).rejects.toMatchObject({ status: 500 });
    expect(scope.pendingMocks()).toEqual([]);
    c.close();
  });

  it.each([
    ["Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"],
    ["token k8s-aws-v1.aHR0cHM6Ly9zdHM", "token k8s-aws-v1.[redacted]"],
    [
      "https://sts/?X-Amz-Signature=abcd&X-Amz-Security-Token=zz%2F&Action=x",
      "https://sts/?X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted]&Action=x",
    ],
  ])("redacts %s", (input, expected) => {
    expect(redactCredentials(input)).toBe(expected);
  });
});
