import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createKubeClient, loadKubeConfig } from "../../src/kube/client.js";

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: { server: "https://dev.example.test:6443" }
- name: prod
  cluster: { server: "https://prod.example.test" }
users:
- name: u
  user: { token: abc }
contexts:
- name: dev
  context: { cluster: dev, user: u }
- name: prod
  context: { cluster: prod, user: u }
`;

async function kubeconfigFile(text = KUBECONFIG): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "cs-kubeconfig-")), "config");
  await writeFile(path, text);
  return path;
}

describe("createKubeClient", () => {
  it("uses the kubeconfig's current context, or the one named", async () => {
    const kubeconfig = await kubeconfigFile();
    expect(createKubeClient({ access: { mode: "kubeconfig", kubeconfig } }).server.host).toBe(
      "dev.example.test:6443",
    );
    expect(
      createKubeClient({ access: { mode: "kubeconfig", kubeconfig, context: "prod" } }).server.host,
    ).toBe("prod.example.test");
  });

  it("names the missing context, file or environment", async () => {
    const kubeconfig = await kubeconfigFile();
    expect(() => loadKubeConfig({ access: { mode: "kubeconfig", kubeconfig, context: "qa" } })).toThrow(
      /no context named "qa"/,
    );
    expect(() =>
      loadKubeConfig({ access: { mode: "kubeconfig", kubeconfig: "/nonexistent/kubeconfig" } }),
    ).toThrow(/loading the kubeconfig \/nonexistent\/kubeconfig/);
    const saved = process.env["KUBERNETES_SERVICE_HOST"];
    delete process.env["KUBERNETES_SERVICE_HOST"];
    try {
      expect(() => loadKubeConfig({ access: { mode: "in-cluster" } })).toThrow(/KUBERNETES_SERVICE_HOST/);
    } finally {
      if (saved !== undefined) process.env["KUBERNETES_SERVICE_HOST"] = saved;
    }
  });

  it("refuses plain http unless TLS verification is explicitly off (local fakes only)", async () => {
    const kubeconfig = await kubeconfigFile(
      KUBECONFIG.replace("https://dev.example.test:6443", "http://dev.example.test"),
    );
    expect(() => createKubeClient({ access: { mode: "kubeconfig", kubeconfig } })).toThrow(/must be https/);
  });

  it("refuses a kubeconfig proxy it would not use", async () => {
    const kubeconfig = await kubeconfigFile(
      KUBECONFIG.replace(
        'server: "https://dev.example.test:6443"',
        'server: "https://dev.example.test:6443", proxy-url: "http://proxy.example.test:3128"',
      ),
    );
    expect(() => createKubeClient({ access: { mode: "kubeconfig", kubeconfig } })).toThrow(/proxy-url/);
  });

  it("reads the in-cluster service account configuration", () => {
    const saved = { ...process.env };
    Object.assign(process.env, { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" });
    try {
      expect(createKubeClient({ access: { mode: "in-cluster" } }).server.href).toBe("https://10.0.0.1/");
    } finally {
      process.env = saved;
    }
  });
});
