import { describe, expect, it } from "vitest";
import { findBuildInputs } from "../../src/core/build-inputs.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";

const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

describe("findBuildInputs", () => {
  it.each([
    // kustomize's config, with apiVersion/kind
    [
      "a/kustomization.yaml",
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [x.yaml]\n",
    ],
    // and without (most repositories omit them)
    ["a/kustomization.yml", "resources: [x.yaml]\n"],
    ["Kustomization", "resources: []\n"],
  ])("lists %s as kustomize configuration", (path, content) => {
    expect(findBuildInputs([{ path, content }]).get(path)).toMatch(/kustomize configuration/);
  });

  it("lists every kind of file a kustomization reads, relative to it, but not its resources", () => {
    const kustomization = [
      "resources: [deploy.yaml, ../shared]",
      "patches: [{path: patch.yaml}, {patch: 'inline', target: {kind: Deployment}}]",
      'patchesStrategicMerge: [sm.yaml, "kind: X\\nmetadata: {}"]',
      "patchesJson6902: [{path: ../json/ops.yaml}]",
      "configMapGenerator: [{name: c, files: [key=conf/app.yaml], envs: [env.yaml]}]",
      "secretGenerator: [{name: s, env: secret.env.yaml}]",
      "replacements: [{path: repl.yaml}]",
      "configurations: [names.yaml]",
      "helmCharts: [{name: x, valuesFile: values-prod.yaml}]",
      "patches2: [{path: not-a-field.yaml}]",
      "transformers: [/abs.yaml, https://example.com/x.yaml, ../../../outside.yaml]",
    ].join("\n");
    const inputs = findBuildInputs([{ path: "apps/web/kustomization.yaml", content: kustomization }]);
    expect([...inputs.keys()].sort()).toEqual([
      "apps/json/ops.yaml",
      "apps/web/conf/app.yaml",
      "apps/web/env.yaml",
      "apps/web/kustomization.yaml",
      "apps/web/names.yaml",
      "apps/web/patch.yaml",
      "apps/web/repl.yaml",
      "apps/web/secret.env.yaml",
      "apps/web/sm.yaml",
      "apps/web/values-prod.yaml",
    ]);
  });

  it("lists every file of a Helm chart, at any depth, and nothing beside it", () => {
    const files = [
      "c/web/Chart.yaml",
      "c/web/values.yaml",
      "c/web/templates/a.yaml",
      "c/web/crds/b.yaml",
      "c/other.yaml",
    ];
    const inputs = findBuildInputs(files.map((path) => ({ path, content: "" })));
    expect([...inputs.keys()].sort()).toEqual(files.slice(0, 4).sort());
    expect(inputs.get("c/web/values.yaml")).toMatch(/Helm chart file \(chart c\/web\)/);
  });

  it("reads nothing from a broken or oversized kustomization, and never throws", () => {
    for (const content of [
      "patches: [",
      "a: &a [*a]\npatches: *a\n",
      `patches: [{path: p.yaml}]\n#${"x".repeat(300_000)}`,
    ])
      expect([...findBuildInputs([{ path: "kustomization.yaml", content }]).keys()]).toEqual([
        "kustomization.yaml",
      ]);
  });
});

describe("buildManifestSet with build inputs", () => {
  it("skips build inputs with a reason instead of planning them as objects", () => {
    // Before: the patch was a second, namespace-less Deployment web (an error), the kustomization an error.
    const set = buildManifestSet(
      [
        { path: "k/kustomization.yaml", content: "resources: [d.yaml]\npatches: [{path: p.yaml}]\n" },
        { path: "k/d.yaml", content: `${deployment}  namespace: a\n` },
        { path: "k/p.yaml", content: deployment },
        {
          path: "other/config.yaml",
          content: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        },
      ],
      {},
    );
    expect(set.errors).toEqual([]);
    expect([...set.objects.keys()]).toEqual(["apps/Deployment/a/web"]);
    expect(set.skipped.map((s) => [s.file, s.reason])).toEqual([
      ["k/kustomization.yaml", "kustomize configuration: a build input, not an object"],
      [
        "k/p.yaml",
        "referenced by k/kustomization.yaml as a patch or generator input: a build input, not an object",
      ],
      ["other/config.yaml", "kustomize configuration: a build input, not an object"],
    ]);
  });
});
