import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ObjectSerializer } from "@kubernetes/client-node/dist/gen/models/ObjectSerializer.js";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadPolicy } from "../../src/config/policy-files.js";
import { parseReconcilerConfig } from "../../src/reconciler/config.js";
import { canonicalJson } from "../../src/core/canonical.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";
import { plan } from "../../src/core/plan.js";
import { restrictedViolations } from "./pod-security.js";
import { CHART, NAMESPACE, RELEASE, find, helmRun, helmTemplate, render, valuesArgs } from "./render.js";
import type { K8sObject } from "./render.js";

/** The complete values example of docs/install.md, so the guide cannot drift from the chart. */
async function installGuideValues(): Promise<string> {
  const guide = await readFile(join(CHART, "..", "..", "docs", "install.md"), "utf8");
  const block = /A complete `values-prod\.yaml`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(guide)?.[1];
  if (block === undefined) throw new Error("docs/install.md has no complete values example");
  const file = join(await mkdtemp(join(tmpdir(), "cs-install-values-")), "values-prod.yaml");
  await writeFile(file, block);
  return file;
}

// The values files every check runs over: [name, files under test/charts/values].
const CASES: [string, string[]][] = [
  ["defaults", []],
  ["IRSA reconciler", ["irsa.yaml"]],
  ["ingress on", ["ingress.yaml"]],
  ["ServiceMonitor on, eks mode", ["servicemonitor.yaml"]],
  ["docs/install.md example", [await installGuideValues()]],
];
const PREFIX = `${RELEASE}-countersign`;
const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  // Sequential: two cores shared by every test file; Helm itself is quick once extracted.
  for (const [name, files] of CASES) rendered.set(name, await render(files));
});
const objectsOf = (name: string): K8sObject[] => rendered.get(name)!;

type Json = Record<string, unknown>;
const podTemplate = (o: K8sObject): { metadata: Json; spec: Json } =>
  (o["spec"] as { template: { metadata: Json; spec: Json } }).template;
const containerOf = (o: K8sObject): Json => (podTemplate(o).spec["containers"] as Json[])[0]!;
const RBAC_KINDS = new Set(["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]);

describe("helm lint --strict", () => {
  it.each(CASES)("%s: passes", async (_name, files) => {
    const result = await helmRun(["lint", "--strict", CHART, "--namespace", NAMESPACE, ...valuesArgs(files)]);
    expect(result.stdout + result.stderr).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(result.code).toBe(0);
  });
});

describe("helm package", () => {
  it("puts the default policy pack in the chart archive (charts/countersign/policies links to policies/)", async () => {
    const out = await mkdtemp(join(tmpdir(), "cs-helm-package-"));
    const result = await helmRun(["package", CHART, "--destination", out]);
    expect(result.code).toBe(0);
    const [archive] = await readdir(out); // countersign-<chart version>.tgz
    const tar = gunzipSync(await readFile(join(out, archive!))).toString("latin1");
    for (const file of await readdir(join(CHART, "..", "..", "policies"))) {
      expect(tar, file).toContain(`countersign/policies/${file}`);
    }
    expect(tar).toContain("countersign/values.schema.json");
  });
});

describe("values.schema.json", () => {
  // Each file holds one mistake; Helm must refuse it and name where it is.
  it.each([
    ["wrong-type.yaml", "at '/gate/replicas': got string, want integer"],
    ["unknown-key.yaml", "at '/reconciler': additional properties 'enabeld' not allowed"],
    ["secret-in-values.yaml", "at '/github': additional properties 'privateKey' not allowed"],
  ])("rejects %s", async (file, message) => {
    for (const command of ["template", "lint"]) {
      const args = command === "lint" ? ["lint", "--strict", CHART] : ["template", RELEASE, CHART];
      const result = await helmRun([...args, ...valuesArgs([file])]);
      expect(result.code, command).not.toBe(0);
      expect(result.stdout + result.stderr, command).toContain(message);
    }
  });

  it.each([
    ["a log level that does not exist", "gate.logLevel=loud", "at '/gate/logLevel'"],
    ["an Object Lock mode S3 does not have", "audit.objectLock=FOREVER:30", "at '/audit/objectLock'"],
    ["an audit store that is not S3 or a file", "audit.store=http://bucket", "at '/audit/store'"],
    [
      "a role ARN that is not one",
      "reconciler.serviceAccount.roleArn=admin",
      "at '/reconciler/serviceAccount/roleArn'",
    ],
    [
      "a kind in lower case",
      "reconciler.manage.resources[0].kind=deployment",
      "/reconciler/manage/resources/0",
    ],
    ["a mutable image reference as digest", "image.digest=latest", "at '/image/digest'"],
    ["a privileged port (the pods have no capabilities)", "gate.port=80", "at '/gate/port'"],
  ])("rejects %s", async (_what, set, message) => {
    const result = await helmTemplate([], [set]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ["reconciler.cluster is required", [], ["reconciler.enabled=true"]],
    ["audit.store is required", ["irsa.yaml"], ["audit.store="]],
    ["reconciler.manage.resources: list the kinds", ["irsa.yaml"], ["reconciler.manage.resources=null"]],
    ["in eks mode, name the Kubernetes group", ["servicemonitor.yaml"], ["reconciler.rbac.groups=null"]],
    ["two reconcilers would both apply", ["irsa.yaml"], ["reconciler.leaderElection.enabled=false"]],
    [
      "must not include its own namespace",
      ["irsa.yaml"],
      ["reconciler.manage.namespaces={shop,countersign-system}"],
    ],
  ])("an enabled reconciler without its settings fails to render: %s", async (message, files, sets) => {
    const result = await helmTemplate(files, sets);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe.each(CASES)("rendered objects: %s", (name) => {
  it("parse as Kubernetes objects: every field known to the API's types", () => {
    for (const object of objectsOf(name)) {
      expect(object.apiVersion, object.kind).toMatch(/^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/);
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      if (object.kind === "ServiceMonitor") continue; // a CRD: no built-in type
      // A round trip through client-node's generated models drops any field the type lacks: a
      // misspelt or misplaced field makes the two differ.
      const type = `V1${object.kind}`;
      const back: unknown = ObjectSerializer.serialize(
        ObjectSerializer.deserialize(object, type, ""),
        type,
        "",
      );
      const roundTrip: unknown = JSON.parse(JSON.stringify(back)); // drops the unset (undefined) fields
      expect(canonicalJson(roundTrip), `${object.kind}/${object.metadata.name}`).toBe(canonicalJson(object));
    }
  });

  it("carry the recommended app.kubernetes.io labels", () => {
    for (const object of objectsOf(name)) {
      expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
        "app.kubernetes.io/name": "countersign",
        "app.kubernetes.io/instance": RELEASE,
        "app.kubernetes.io/version": expect.any(String),
        "app.kubernetes.io/component": expect.stringMatching(/^(gate|reconciler|policy)$/),
        "app.kubernetes.io/part-of": "countersign",
        "app.kubernetes.io/managed-by": "Helm",
      });
    }
  });

  it("run every pod under the restricted Pod Security profile, read-only, with probes and resources", () => {
    const deployments = objectsOf(name).filter((o) => o.kind === "Deployment");
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const { metadata, spec } = podTemplate(deployment);
      expect(restrictedViolations(spec, metadata["annotations"] as Json), deployment.metadata.name).toEqual(
        [],
      );
      const container = containerOf(deployment);
      expect(container["securityContext"]).toMatchObject({ readOnlyRootFilesystem: true });
      expect(container["livenessProbe"]).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
      // The reconciler's /readyz means "holds the lease": a standby must still count as ready, or
      // rolling updates and node drains stall (see the template).
      const readiness = deployment.metadata.name.endsWith("-gate") ? "/readyz" : "/healthz";
      expect(container["readinessProbe"]).toMatchObject({ httpGet: { path: readiness, port: "http" } });
      expect(container["resources"]).toMatchObject({
        requests: { cpu: expect.anything(), memory: expect.anything() },
      });
      expect(container["resources"]).toMatchObject({ limits: { memory: expect.anything() } });
      // Everything writable is an emptyDir: the root filesystem stays read-only.
      const volumes = new Map((spec["volumes"] as Json[]).map((v) => [v["name"], v]));
      for (const mount of container["volumeMounts"] as Json[]) {
        if (mount["readOnly"] !== true)
          expect(volumes.get(mount["name"]), String(mount["name"])).toHaveProperty("emptyDir");
      }
    }
  });

  it("keep secrets out: no Secret object, no secret value in a literal env var or a ConfigMap", () => {
    const objects = objectsOf(name);
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
      for (const env of containerOf(deployment)["env"] as Json[]) {
        if (["PRIVATE_KEY", "WEBHOOK_SECRET", "COUNTERSIGN_FINGERPRINT_KEY"].includes(String(env["name"]))) {
          expect(env, String(env["name"])).toHaveProperty("valueFrom.secretKeyRef");
        }
      }
    }
    expect(JSON.stringify(objects)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  it("render a reconciler configuration that the reconciler itself accepts", () => {
    const configMap = objectsOf(name).find(
      (o) => o.metadata.name === `${PREFIX}-reconciler` && o.kind === "ConfigMap",
    );
    if (!configMap) return; // the reconciler is disabled in this case
    const text = (configMap["data"] as Record<string, string>)["config.yaml"]!;
    // The pod's namespace comes from the downward API (POD_NAMESPACE), as in the Deployment.
    const config = parseReconcilerConfig(text, "config.yaml", { POD_NAMESPACE: NAMESPACE });
    expect(config.leaderElection.namespace).toBe(NAMESPACE);
    expect(config.inventory.namespace).toBe(NAMESPACE);
    expect(config.audit.spool).toBe("/var/lib/countersign/spool");
    const deployment = find(objectsOf(name), "Deployment", `${PREFIX}-reconciler`);
    expect(containerOf(deployment)["ports"]).toEqual([
      { name: "http", containerPort: config.server.port, protocol: "TCP" },
    ]);
  });

  it("give the gate no Kubernetes permissions and no API token", () => {
    const objects = objectsOf(name);
    const gate = find(objects, "Deployment", `${PREFIX}-gate`);
    expect(podTemplate(gate).spec["automountServiceAccountToken"]).toBe(false);
    expect(find(objects, "ServiceAccount", `${PREFIX}-gate`)["automountServiceAccountToken"]).toBe(false);
    for (const binding of objects.filter((o) => o.kind.endsWith("Binding"))) {
      const subjects = binding["subjects"] as Json[];
      expect(subjects.map((s) => s["name"])).not.toContain(`${PREFIX}-gate`);
    }
  });

  it("rate nothing critical under countersign's own default policy except its RBAC and self-protection", async () => {
    const objects = objectsOf(name);
    const policy = await loadPolicy(undefined, { countersignNamespace: NAMESPACE });
    const content = objects.map((o) => JSON.stringify(o)).join("\n---\n");
    const result = plan(buildManifestSet([]), buildManifestSet([{ path: "install.yaml", content }]), policy);
    expect(result.errors).toEqual([]);
    expect(result.classification.changes).toHaveLength(objects.length);
    // The self-protection rules rate every object of countersign's own install critical (an agent
    // must never change it unreviewed); beyond those, only RBAC may be critical.
    const selfProtection = await selfProtectionRules();
    for (const { change, findings } of result.classification.changes) {
      expect(
        findings.some((f) => selfProtection.has(f.rule) && f.level === "critical"),
        change.key,
      ).toBe(true);
      const critical = findings.filter((f) => f.level === "critical" && !selfProtection.has(f.rule));
      const kind = change.key.split("/")[1]!;
      if (!RBAC_KINDS.has(kind)) expect(critical, change.key).toEqual([]);
      // No pod-security rule of the pack has anything to say about the pods.
      expect(findings.filter((f) => /^pod-|privileged|host-|capabilit/.test(f.rule))).toEqual([]);
    }
  });
});

async function selfProtectionRules(): Promise<Set<string>> {
  const pack = parse(await readFile(join(CHART, "policies", "self-protection.yaml"), "utf8")) as {
    spec: { rules: { name: string }[] };
  };
  return new Set(pack.spec.rules.map((r) => r.name));
}

describe("defaults", () => {
  it("run the gate only: 2 replicas, a PodDisruptionBudget, a Service, a NetworkPolicy, no Ingress", () => {
    const objects = objectsOf("defaults");
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        `ConfigMap/${PREFIX}-policy`,
        `Deployment/${PREFIX}-gate`,
        `NetworkPolicy/${PREFIX}-gate`,
        `PodDisruptionBudget/${PREFIX}-gate`,
        `Service/${PREFIX}-gate`,
        `ServiceAccount/${PREFIX}-gate`,
      ].sort(),
    );
    expect(find(objects, "Deployment", `${PREFIX}-gate`)["spec"]).toMatchObject({ replicas: 2 });
    expect(find(objects, "PodDisruptionBudget", `${PREFIX}-gate`)["spec"]).toMatchObject({ minAvailable: 1 });
  });

  it("ship the default policy pack byte for byte in the ConfigMap the pods mount over the image's pack", async () => {
    const objects = objectsOf("defaults");
    const data = find(objects, "ConfigMap", `${PREFIX}-policy`)["data"] as Record<string, string>;
    const dir = join(CHART, "..", "..", "policies");
    const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
    expect(Object.keys(data).sort()).toEqual(files);
    for (const file of files) expect(data[file], file).toBe(await readFile(join(dir, file), "utf8"));
    const gate = find(objects, "Deployment", `${PREFIX}-gate`);
    expect(containerOf(gate)["volumeMounts"]).toContainEqual({
      name: "policy",
      mountPath: "/app/policies",
      readOnly: true,
    });
  });

  it("take the App's credentials from the existing Secret: the key as a file, the rest by reference", () => {
    const gate = find(objectsOf("defaults"), "Deployment", `${PREFIX}-gate`);
    const env = Object.fromEntries((containerOf(gate)["env"] as Json[]).map((e) => [e["name"], e]));
    expect(env["PRIVATE_KEY_PATH"]).toEqual({
      name: "PRIVATE_KEY_PATH",
      value: "/var/run/secrets/countersign/private-key.pem",
    });
    expect(env["WEBHOOK_SECRET"]).toEqual({
      name: "WEBHOOK_SECRET",
      valueFrom: { secretKeyRef: { name: "countersign-github", key: "webhook-secret" } },
    });
    expect(env["COUNTERSIGN_FINGERPRINT_KEY"]).toHaveProperty(
      "valueFrom.secretKeyRef.key",
      "fingerprint-key",
    );
    // The gate's own shutdown bound ends before the pod's grace period (30 s) does.
    expect(env["SHUTDOWN_TIMEOUT_SECONDS"]).toEqual({ name: "SHUTDOWN_TIMEOUT_SECONDS", value: "25" });
    expect(podTemplate(gate).spec["terminationGracePeriodSeconds"]).toBe(30);
    expect(podTemplate(gate).spec["volumes"]).toContainEqual({
      name: "github-app",
      secret: {
        secretName: "countersign-github",
        defaultMode: 0o440,
        items: [{ key: "private-key.pem", path: "private-key.pem" }],
      },
    });
  });

  it("tell the operator what to do next (NOTES.txt)", async () => {
    const result = await helmRun(["install", RELEASE, CHART, "--namespace", NAMESPACE, "--dry-run=client"]);
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
    expect(notes).toMatchSnapshot();
  });

  it.each([["irsa.yaml"], ["ingress.yaml"]])("tell the operator what to do next with %s", async (file) => {
    const result = await helmRun([
      "install",
      RELEASE,
      CHART,
      "--namespace",
      NAMESPACE,
      "--dry-run=client",
      ...valuesArgs([file]),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.slice(result.stdout.indexOf("NOTES:"))).toMatchSnapshot();
  });
});

describe("IRSA reconciler", () => {
  const objects = (): K8sObject[] => objectsOf("IRSA reconciler");

  it("annotates the reconciler's service account with the IAM role, and only that one", () => {
    const sa = find(objects(), "ServiceAccount", `${PREFIX}-reconciler`);
    expect(sa.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/countersign-reconciler",
    });
    expect(find(objects(), "ServiceAccount", `${PREFIX}-gate`).metadata.annotations).toBeUndefined();
  });

  it("writes the reconciler's configuration file in the agreed shape (no secret in it)", () => {
    const configMap = find(objects(), "ConfigMap", `${PREFIX}-reconciler`);
    const config = parse((configMap["data"] as Record<string, string>)["config.yaml"]!) as Json;
    expect(config).toEqual({
      version: 1,
      cluster: "prod",
      repository: "acme/gitops",
      branch: "main",
      paths: ["clusters/prod"],
      github: { appId: 123456, apiUrl: "https://api.github.com" },
      kubernetes: { mode: "in-cluster" },
      audit: { store: "s3://acme-countersign-audit/prod", spool: "/var/lib/countersign/spool" },
      schedule: { pass: "*/30 * * * * *", drift: "*/10 * * * *" },
      apply: { concurrency: 8, crdEstablishedTimeoutSeconds: 60 },
      manage: {
        namespaces: ["shop", "payments"],
        kinds: ["/ConfigMap", "/Service", "apps/Deployment", "/Namespace"],
      },
      leaderElection: { enabled: true, leaseName: "countersign-reconciler", leaseDurationSeconds: 15 },
      inventory: { name: "countersign-inventory" },
      server: { port: 8080 },
      logLevel: "info",
      historyLimit: 500,
    });
  });

  it("runs `countersign reconcile --config` with the key files, its pod identity and the audit settings", () => {
    const deployment = find(objects(), "Deployment", `${PREFIX}-reconciler`);
    const container = containerOf(deployment);
    expect(container["args"]).toEqual(["reconcile", "--config", "/etc/countersign/config.yaml"]);
    const env = Object.fromEntries(
      (container["env"] as Json[]).map((e) => [e["name"], e["value"] ?? e["valueFrom"]]),
    );
    expect(env).toEqual({
      PRIVATE_KEY_PATH: "/var/run/secrets/countersign/private-key.pem",
      COUNTERSIGN_FINGERPRINT_KEY_PATH: "/var/run/secrets/countersign/fingerprint-key",
      POD_NAMESPACE: { fieldRef: { fieldPath: "metadata.namespace" } },
      POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
      AWS_REGION: "eu-west-1",
      COUNTERSIGN_AUDIT_OBJECT_LOCK: "COMPLIANCE:400",
      COUNTERSIGN_AUDIT_KMS_KEY: "default",
    });
    expect(container["volumeMounts"]).toContainEqual({
      name: "spool",
      mountPath: "/var/lib/countersign/spool",
    });
    expect(podTemplate(deployment).spec["automountServiceAccountToken"]).toBe(true);
    expect(deployment["spec"]).toMatchObject({ replicas: 2 });
  });

  it("grants the Lease and inventory ConfigMaps in its own namespace only, and apply rights exactly as listed", () => {
    const rbac = objects().filter((o) => RBAC_KINDS.has(o.kind));
    const role = find(rbac, "Role", `${PREFIX}-reconciler`);
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role["rules"]).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["countersign-reconciler"],
        verbs: ["get", "update"],
      },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "create", "update", "delete"] },
    ]);
    const apply = ["get", "list", "create", "patch", "delete"];
    expect(find(rbac, "ClusterRole", `${PREFIX}-reconciler-apply`)["rules"]).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: apply },
      { apiGroups: [""], resources: ["services"], verbs: apply },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: apply },
    ]);
    expect(find(rbac, "ClusterRole", `${PREFIX}-reconciler-apply-cluster`)["rules"]).toEqual([
      { apiGroups: [""], resources: ["namespaces"], verbs: apply },
    ]);
    expect(find(rbac, "ClusterRole", `${PREFIX}-reconciler-crds`)["rules"]).toEqual([
      { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get"] },
    ]);
    // The namespaced apply rights are bound in the listed namespaces only, never cluster-wide.
    const applyBindings = rbac.filter(
      (o) => (o["roleRef"] as Json | undefined)?.["name"] === `${PREFIX}-reconciler-apply`,
    );
    expect(applyBindings.map((b) => `${b.kind}/${b.metadata.namespace}`)).toEqual([
      "RoleBinding/shop",
      "RoleBinding/payments",
    ]);
    // No wildcard anywhere.
    expect(JSON.stringify(rbac.map((o) => o["rules"] ?? []))).not.toContain('"*"');
    for (const binding of rbac.filter((o) => o.kind.endsWith("Binding"))) {
      expect(binding["subjects"]).toEqual([
        { kind: "ServiceAccount", name: `${PREFIX}-reconciler`, namespace: NAMESPACE },
      ]);
    }
  });
});

describe("ingress on", () => {
  it("routes only the webhook path, with TLS, and lets only the ingress controller in", () => {
    const objects = objectsOf("ingress on");
    const ingress = find(objects, "Ingress", `${PREFIX}-gate`);
    expect(ingress["spec"]).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["countersign.acme.example"], secretName: `${PREFIX}-gate-tls` }],
      rules: [
        {
          host: "countersign.acme.example",
          http: {
            paths: [
              {
                path: "/api/github/webhooks",
                pathType: "Exact",
                backend: { service: { name: `${PREFIX}-gate`, port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    });
    const policy = find(objects, "NetworkPolicy", `${PREFIX}-gate`)["spec"] as Json;
    expect(policy["ingress"]).toEqual([
      {
        ports: [{ port: "http", protocol: "TCP" }],
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
      },
    ]);
  });
});

describe("ServiceMonitor on, eks mode", () => {
  const objects = (): K8sObject[] => objectsOf("ServiceMonitor on, eks mode");

  it("scrapes both components through ServiceMonitors instead of pod annotations", () => {
    const monitors = objects().filter((o) => o.kind === "ServiceMonitor");
    expect(monitors.map((m) => m.metadata.name)).toEqual([`${PREFIX}-gate`, `${PREFIX}-reconciler`]);
    for (const monitor of monitors) {
      expect(monitor.metadata.labels).toHaveProperty("release", "prometheus");
      expect(monitor["spec"]).toMatchObject({
        endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
      });
    }
    for (const deployment of objects().filter((o) => o.kind === "Deployment")) {
      expect(Object.keys(podTemplate(deployment).metadata["annotations"] as Json)).not.toContain(
        "prometheus.io/scrape",
      );
    }
  });

  it("binds the reconciler's roles to the EKS access entry's group, with no service account token", () => {
    const deployment = find(objects(), "Deployment", `${PREFIX}-reconciler`);
    expect(podTemplate(deployment).spec["automountServiceAccountToken"]).toBe(false);
    const bindings = objects().filter((o) => o.kind.endsWith("Binding"));
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) {
      expect(binding["subjects"]).toEqual([
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "countersign-reconciler" },
      ]);
    }
    // No namespaces listed: the apply rights are cluster-wide (the reconciler skips its own namespace).
    expect(find(objects(), "ClusterRoleBinding", `${PREFIX}-reconciler-apply`)["roleRef"]).toHaveProperty(
      "name",
      `${PREFIX}-reconciler-apply`,
    );
  });

  it("writes eks mode, GitHub Enterprise and the installation id into the configuration", () => {
    const configMap = find(objects(), "ConfigMap", `${PREFIX}-reconciler`);
    const config = parse((configMap["data"] as Record<string, string>)["config.yaml"]!) as Json;
    expect(config["github"]).toEqual({
      appId: 123456,
      installationId: 42,
      apiUrl: "https://github.acme.example/api/v3",
    });
    expect(config["kubernetes"]).toEqual({
      mode: "eks",
      eks: {
        clusterName: "staging",
        region: "eu-west-1",
        endpoint: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
        caData: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
      },
    });
    expect(config["manage"]).toEqual({ namespaces: [], kinds: ["/ConfigMap", "apps/Deployment"] });
  });

  it("adds the operator's policy files to the default pack", () => {
    const data = find(objects(), "ConfigMap", `${PREFIX}-policy`)["data"] as Record<string, string>;
    expect(Object.keys(data)).toContain("org.yaml");
    expect(Object.keys(data)).toContain("self-protection.yaml");
  });
});
