/** The cluster integration suite against the fake API server: proves the suite itself works. */
import { afterAll } from "vitest";
import { FakeKubeApi } from "../support/fake-kube-api.js";
import { defineClusterSuite } from "./suite.js";

let api: FakeKubeApi | undefined;
afterAll(async () => {
  await api?.close();
});

defineClusterSuite("cluster suite (fake API server)", async () => {
  api ??= await FakeKubeApi.start();
  return { kubeconfig: await api.writeKubeconfig() };
});
