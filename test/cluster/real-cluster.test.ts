/**
 * The cluster integration suite against a real API server: `npm run test:cluster` with
 * COUNTERSIGN_TEST_KUBECONFIG naming the kubeconfig of a disposable cluster (cluster-admin), and
 * optionally COUNTERSIGN_TEST_CONTEXT. Skipped, saying so, when it is not set.
 */
import { describe, it } from "vitest";
import { defineClusterSuite } from "./suite.js";

const kubeconfig = process.env["COUNTERSIGN_TEST_KUBECONFIG"];
const context = process.env["COUNTERSIGN_TEST_CONTEXT"];

if (kubeconfig) {
  defineClusterSuite(`cluster suite (real API server from ${kubeconfig})`, async () => ({
    kubeconfig,
    ...(context ? { context } : {}),
  }));
} else {
  describe("cluster suite (real API server)", () => {
    console.log(
      "cluster suite skipped: set COUNTERSIGN_TEST_KUBECONFIG to a disposable cluster's kubeconfig",
    );
    it.skip("needs COUNTERSIGN_TEST_KUBECONFIG", () => undefined);
  });
}
