/**
 * Runs the fake API server as its own process (benchmarks: the API server's CPU must not be
 * counted against the client's event loop). Prints one JSON line `{"url", "kubeconfig"}` once
 * listening; options from FAKE_KUBE_LATENCY_MS and FAKE_KUBE_CRD_DELAY_MS. Ends on SIGTERM.
 */
import { FakeKubeApi } from "./fake-kube-api.js";

const api = await FakeKubeApi.start({
  latencyMs: Number(process.env["FAKE_KUBE_LATENCY_MS"] ?? 0),
  crdEstablishDelayMs: Number(process.env["FAKE_KUBE_CRD_DELAY_MS"] ?? 0),
});
const kubeconfig = await api.writeKubeconfig();
process.stdout.write(`${JSON.stringify({ url: api.url, kubeconfig })}\n`);
process.on("SIGTERM", () => {
  void api.close().then(() => process.exit(0));
});
