import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { objectDigest } from "../../src/core/canonical.js";
import { buildManifestSet, createManifestParseCache } from "../../src/core/manifest-set.js";

const deploy = (ns?: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n${ns ? `  namespace: ${ns}\n` : ""}spec:\n  replicas: 1\n`;

describe("buildManifestSet", () => {
  it("keys objects by group/kind/namespace/name, cluster-scoped with an empty namespace", () => {
    const set = buildManifestSet([
      { path: "app/deploy.yaml", content: deploy("web") },
      {
        path: "ns.yaml",
        content: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n  namespace: ignored\n",
      },
    ]);
    expect(set.errors).toEqual([]);
    expect([...set.objects.keys()].sort()).toEqual(["/Namespace//web", "apps/Deployment/web/api"]);
    const d = set.objects.get("apps/Deployment/web/api");
    expect(d).toMatchObject({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "web",
      name: "api",
    });
    expect(d?.source).toMatchObject({ file: "app/deploy.yaml", line: 1 });
  });

  it.each([
    // a namespaced kind without a namespace is an error
    [undefined, [], ["Deployment api is namespaced but has no metadata.namespace"]],
    // unless a default namespace is configured
    ["dflt", ["apps/Deployment/dflt/api"], []],
  ])("default namespace %s", (defaultNamespace, keys, errors) => {
    const set = buildManifestSet(
      [{ path: "d.yaml", content: deploy() }],
      defaultNamespace ? { defaultNamespace } : {},
    );
    expect([...set.objects.keys()]).toEqual(keys);
    expect(set.errors.map((e) => e.message.replace(/ \(and.*$/, ""))).toEqual(errors);
  });

  it("gives an object placed in the default namespace the same digest as one that names it", () => {
    const implicit = buildManifestSet([{ path: "d.yaml", content: deploy() }], { defaultNamespace: "web" });
    const explicit = buildManifestSet([{ path: "d.yaml", content: deploy("web") }]);
    expect(implicit.objects.get("apps/Deployment/web/api")?.digest).toBe(
      explicit.objects.get("apps/Deployment/web/api")?.digest,
    );
  });

  it("digests exactly as objectDigest does on the raw object (the gate and reconciler recompute it)", () => {
    const raw =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n  uid: x\nstatus: {}\ndata: {k: v}\n";
    const set = buildManifestSet([{ path: "c.yaml", content: raw }]);
    const object = set.objects.get("/ConfigMap/a/c");
    expect(object?.digest).toBe(objectDigest(parse(raw) as Record<string, unknown>));
    expect(object?.object).not.toHaveProperty("status");
  });

  it("reports a duplicate key naming both files and lines", () => {
    const set = buildManifestSet([
      { path: "b.yaml", content: `---\n${deploy("web")}` },
      { path: "a.yaml", content: deploy("web") },
    ]);
    expect(set.errors).toEqual([
      expect.objectContaining({
        file: "b.yaml",
        message: "duplicate object apps/Deployment/web/api: defined in a.yaml:1 and in b.yaml:2",
      }),
    ]);
    expect(set.objects.size).toBe(1);
  });

  it("lets a CRD in the set declare its kind cluster-scoped", () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Cluster\n  names:\n    kind: Widget\n    plural: widgets\n`;
    const widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
    // the CR's file sorts before the CRD's: scopes are collected over the whole set first
    const set = buildManifestSet([
      { path: "a-widget.yaml", content: widget },
      { path: "z-crd.yaml", content: crd },
    ]);
    expect(set.errors).toEqual([]);
    expect(set.objects.has("example.com/Widget//w")).toBe(true);
  });

  it("takes extra cluster-scoped kinds from options", () => {
    const widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
    const set = buildManifestSet([{ path: "w.yaml", content: widget }], {
      clusterScopedKinds: ["example.com/Widget"],
    });
    expect([...set.objects.keys()]).toEqual(["example.com/Widget//w"]);
  });

  it("ignores files that are not .yaml/.yml/.json", () => {
    const set = buildManifestSet([
      { path: "README.md", content: deploy("web") },
      { path: "kustomization.txt", content: "::::" },
      { path: "x.YML", content: deploy("web") },
    ]);
    expect([...set.objects.keys()]).toEqual(["apps/Deployment/web/api"]);
  });

  it.each([
    // no metadata at all
    ["apiVersion: v1\nkind: ConfigMap\n", /has no metadata/],
    // generateName cannot be keyed
    [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x/\n  namespace: a\n",
      /no valid metadata.name or metadata.generateName/,
    ],
    // a slash in a name would break the key
    ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a/b\n  namespace: a\n", /no valid metadata.name/],
    // a non-string namespace
    [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: [x]\n",
      /invalid metadata.namespace/,
    ],
    // an unquoted `no` is a YAML 1.1 boolean, as kubectl reads it: say so and say how to fix it
    [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: no\n",
      /metadata.namespace false: an unquoted yes\/no\/on\/off\/y\/n is a boolean to kubectl; quote it/,
    ],
    [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: on\n  namespace: a\n",
      /metadata.name true: .* quote it/,
    ],
    // .inf is YAML but not JSON: the object cannot be digested
    ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: a\ndata:\n  x: .inf\n", /not JSON/],
    // an apiVersion with an empty version
    ["apiVersion: apps/\nkind: Deployment\nmetadata:\n  name: a\n  namespace: a\n", /invalid apiVersion/],
  ])("rejects invalid object %#", (content, message) => {
    const set = buildManifestSet([{ path: "x.yaml", content }]);
    expect(set.objects.size).toBe(0);
    expect(set.errors[0]?.message).toMatch(message);
  });

  it("caps the total number of objects across files", () => {
    const cm = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: a\n`;
    const files = [0, 1, 2].map((f) => ({
      path: `f${f}.yaml`,
      content: [0, 1].map((i) => cm(f * 2 + i)).join("---\n"),
    }));
    const set = buildManifestSet(files, { limits: { maxObjects: 3 } });
    expect(set.objects.size).toBe(3);
    expect(set.errors.map((e) => e.file)).toEqual(["f1.yaml"]);
  });

  it("stops at the default cap of 100,000 objects", () => {
    // Items without metadata fail validation cheaply: this test is about the count, not the keys.
    const item = { apiVersion: "v1", kind: "ConfigMap" };
    const content = JSON.stringify({ apiVersion: "v1", kind: "List", items: Array(100_001).fill(item) });
    const set = buildManifestSet([{ path: "many.json", content }], {
      limits: { maxFileBytes: 16 * 1024 * 1024 },
    });
    expect(set.errors.some((e) => /more than 100000 objects/.test(e.message))).toBe(true);
  });

  it("parses a file once when both sides share a cache, and not when its content differs", () => {
    const cache = createManifestParseCache();
    const same = { path: "same.yaml", content: deploy("web") };
    const base = buildManifestSet([same, { path: "c.yaml", content: deploy("a") }], { cache });
    const head = buildManifestSet([{ ...same }, { path: "c.yaml", content: deploy("b") }], { cache });
    expect(head.objects.get("apps/Deployment/web/api")?.source).toBe(
      base.objects.get("apps/Deployment/web/api")?.source,
    );
    expect(head.objects.get("apps/Deployment/b/api")?.source).not.toBe(
      base.objects.get("apps/Deployment/a/api")?.source,
    );
    // different limits do not reuse the parse
    const other = buildManifestSet([same], { cache, limits: { maxDepth: 50 } });
    expect(other.objects.get("apps/Deployment/web/api")?.source).not.toBe(
      base.objects.get("apps/Deployment/web/api")?.source,
    );
  });

  it("rejects invalid limits and default namespaces clearly", () => {
    expect(() => buildManifestSet([], { limits: { maxFileBytes: -1 } })).toThrow(/maxFileBytes/);
    expect(() => buildManifestSet([], { defaultNamespace: "a/b" })).toThrow(/not a valid namespace/);
  });
});

describe("buildManifestSet: scope of custom kinds", () => {
  const object = (apiVersion: string, kind: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`;

  it.each([
    ["gateway.networking.k8s.io/v1", "GatewayClass", "gateway.networking.k8s.io/GatewayClass//x"],
    ["cert-manager.io/v1", "ClusterIssuer", "cert-manager.io/ClusterIssuer//x"],
    ["karpenter.sh/v1", "NodePool", "karpenter.sh/NodePool//x"],
    ["kyverno.io/v1", "ClusterPolicy", "kyverno.io/ClusterPolicy//x"],
    ["external-secrets.io/v1beta1", "ClusterSecretStore", "external-secrets.io/ClusterSecretStore//x"],
    ["pkg.crossplane.io/v1", "Provider", "pkg.crossplane.io/Provider//x"],
    // every Gatekeeper constraint kind
    [
      "constraints.gatekeeper.sh/v1beta1",
      "K8sRequiredLabels",
      "constraints.gatekeeper.sh/K8sRequiredLabels//x",
    ],
  ])("knows %s %s is cluster-scoped without its CRD", (apiVersion, kind, key) => {
    const set = buildManifestSet([{ path: "a.yaml", content: object(apiVersion, kind) }]);
    expect(set.errors).toEqual([]);
    expect([...set.objects.keys()]).toEqual([key]);
  });

  it("lets a CRD in the set declare a well-known kind namespaced after all", () => {
    const crd = [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: {name: clusterissuers.cert-manager.io}",
      "spec: {group: cert-manager.io, scope: Namespaced, names: {kind: ClusterIssuer, plural: clusterissuers}}",
    ].join("\n");
    const set = buildManifestSet([
      { path: "crd.yaml", content: crd },
      { path: "a.yaml", content: object("cert-manager.io/v1", "ClusterIssuer") },
    ]);
    expect(set.errors[0]?.message).toMatch(/namespaced but has no metadata.namespace/);
  });

  it("plans a generateName object under a name no real object can have", () => {
    const hook = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n  namespace: a\n";
    const set = buildManifestSet([{ path: "hook.yaml", content: hook }]);
    expect(set.errors).toEqual([]);
    expect([...set.objects.keys()]).toEqual(["batch/Job/a/migrate-*"]);
  });
});
