import { describe, expect, it } from "vitest";
import {
  clusterFor,
  isManagedPath,
  parseRepoConfig,
  protectedFiles,
  protectedPathOf,
  RepoConfigError,
} from "../../src/core/repo-config.js";
import { growth } from "./work-count.js";

const FULL = `
version: 1
paths:
  - path: clusters/prod/
    cluster: prod
  - path: ./clusters//staging
    cluster: staging
policy: .github/countersign-policy
agents: [Deploy-Agent, "renovate[bot]"]
reviewers:
  users: [Alice]
  teams: [Org/SRE]
defaultNamespace: apps
countersignNamespace: cs
`;

describe("parseRepoConfig", () => {
  it("parses and normalises a full configuration", () => {
    expect(parseRepoConfig(FULL)).toEqual({
      version: 1,
      file: ".github/countersign.yml",
      paths: [
        { path: "clusters/prod", cluster: "prod" },
        { path: "clusters/staging", cluster: "staging" },
      ],
      policy: { source: "repository", path: ".github/countersign-policy" },
      agents: ["deploy-agent", "renovate[bot]"],
      reviewers: { users: ["alice"], teams: ["org/sre"] },
      defaultNamespace: "apps",
      countersignNamespace: "cs",
    });
  });

  it("fills defaults for a minimal configuration", () => {
    expect(parseRepoConfig("version: 1\npaths: [{ path: k8s, cluster: dev }]\n")).toEqual({
      version: 1,
      file: ".github/countersign.yml",
      paths: [{ path: "k8s", cluster: "dev" }],
      policy: { source: "default" },
      agents: [],
      reviewers: { users: [], teams: [] },
    });
  });

  it("takes extra cluster-scoped custom kinds, sorted and without repeats", () => {
    const text =
      "version: 1\npaths: [{ path: k8s, cluster: dev }]\nclusterScopedKinds: [example.com/Widget, acme.io/Gadget, example.com/Widget]\n";
    expect(parseRepoConfig(text).clusterScopedKinds).toEqual(["acme.io/Gadget", "example.com/Widget"]);
  });

  const ok = "paths: [{ path: k8s, cluster: dev }]\n";
  const invalid: [string, string, RegExp][] = [
    // Proves a cluster-scoped kind must be group/Kind.
    [
      "kind without group",
      `version: 1\n${ok}clusterScopedKinds: [Widget]\n`,
      /clusterScopedKinds\[0\]: must be group\/Kind/,
    ],
    // Proves a managed path may not hold the configuration, which would be applied as a manifest.
    [
      "managed path holds the configuration",
      "paths: [{ path: .github, cluster: dev }]\n",
      /\.github overlaps \.github\/countersign\.yml/,
    ],
    // Proves a managed path may not hold (or sit inside) the repository policy.
    [
      "managed path holds the policy",
      "paths: [{ path: k8s, cluster: dev }]\npolicy: k8s/policy\n",
      /k8s overlaps k8s\/policy/,
    ],
    // Proves an empty file is refused (fail closed), not treated as "no config".
    ["empty file", "", /must be a mapping/],
    // Proves YAML syntax errors are reported with a line.
    ["bad YAML", "version: 1\npaths: [\n", /YAML: .*\(line \d+\)/],
    // Proves duplicate keys are refused (which one wins would be ambiguous).
    ["duplicate key", `version: 1\nversion: 1\n${ok}`, /YAML: .*unique|YAML: .*Map keys/i],
    // Proves a missing or wrong version is refused.
    ["wrong version", `version: 2\n${ok}`, /version: must be 1 \(line 1\)/],
    // Proves unknown fields (typos) are refused rather than silently ignored.
    ["unknown field", `version: 1\n${ok}reviewer: {}\n`, /reviewer: unknown field/],
    // Proves at least one managed path is required.
    ["no paths", "version: 1\npaths: []\n", /paths: must be a non-empty list/],
    // Proves `..` cannot escape the repository.
    [
      "dot-dot path",
      "version: 1\npaths: [{ path: clusters/../../etc, cluster: dev }]\n",
      /paths\[0\]\.path: must not contain \.\./,
    ],
    // Proves absolute paths are refused.
    ["absolute path", "version: 1\npaths: [{ path: /clusters, cluster: dev }]\n", /no leading \//],
    // Proves the repository root cannot be a managed path by accident.
    ["root path", "version: 1\npaths: [{ path: ./, cluster: dev }]\n", /names the repository root/],
    // Proves nested managed paths are refused (which cluster would own the file?).
    [
      "nested paths",
      "version: 1\npaths: [{ path: a, cluster: x }, { path: a/b, cluster: y }]\n",
      /overlaps a/,
    ],
    // Proves a repeated path is refused.
    ["repeated path", "version: 1\npaths: [{ path: a, cluster: x }, { path: a/, cluster: x }]\n", /overlaps/],
    // Proves cluster names must be DNS labels.
    ["bad cluster", "version: 1\npaths: [{ path: a, cluster: Prod_1 }]\n", /cluster: must be a cluster name/],
    // Proves policy paths are checked like managed paths.
    ["bad policy path", `version: 1\n${ok}policy: ../policy.yml\n`, /policy: must not contain \.\./],
    // Proves agent logins are validated.
    ["bad agent", `version: 1\n${ok}agents: ["not a login"]\n`, /agents\[0\]: must be a GitHub login/],
    // Proves teams must be org/slug.
    [
      "bad team",
      `version: 1\n${ok}reviewers: { teams: [sre] }\n`,
      /reviewers\.teams\[0\]: must be a team as org\/slug/,
    ],
    // Proves an agent cannot also be listed as a reviewer.
    [
      "agent as reviewer",
      `version: 1\n${ok}agents: [bot1]\nreviewers: { users: [BOT1] }\n`,
      /bot1 is also an agent/,
    ],
    // Proves namespaces must be DNS labels.
    [
      "bad namespace",
      `version: 1\n${ok}defaultNamespace: Apps\n`,
      /defaultNamespace: must be a Kubernetes namespace/,
    ],
    // Proves several documents are refused.
    ["two documents", `version: 1\n${ok}---\nversion: 1\n`, /YAML/],
    // Proves an alias bomb is refused without expanding it.
    [
      "alias bomb",
      `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      /alias/,
    ],
    // Proves an oversize file is refused before parsing.
    ["oversize", `# ${"x".repeat(300_000)}\n`, /larger than/],
    // Proves a scalar document is refused.
    ["scalar document", "just text\n", /must be a mapping/],
  ];

  it("finds a duplicate key of a large file, with its line", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  u${i}: 1`).join("\n");
    const text = `version: 1\npaths: [{ path: k8s, cluster: dev }]\nx:\n${keys}\n  u5: 2\n`;
    let thrown: unknown;
    try {
      parseRepoConfig(text);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as RepoConfigError).problems[0]).toMatchObject({
      message: "YAML: map keys must be unique",
      line: 20_004,
    });
  });

  it("checks duplicate keys with work linear in the number of keys", () => {
    // yaml's own check is quadratic (seconds per event on 256 KiB): counted work, not time.
    const config = (n: number) => () => {
      const keys = Array.from({ length: n }, (_, i) => `  u${i}: 1`).join("\n");
      try {
        parseRepoConfig(`version: 1\npaths: [{ path: k8s, cluster: dev }]\nx:\n${keys}\n`);
      } catch {
        // the unknown key x is refused after the duplicate check; only the work matters here
      }
    };
    expect(growth(config, 2000)).toBeLessThan(2.5);
  });

  it.each(invalid)("refuses %s", (_name, text, error) => {
    let thrown: unknown;
    try {
      parseRepoConfig(text, ".github/countersign.yml");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RepoConfigError);
    expect((thrown as RepoConfigError).message).toMatch(error);
    expect((thrown as RepoConfigError).problems.every((p) => p.file === ".github/countersign.yml")).toBe(
      true,
    );
  });

  it("lists every problem at once, with field and line", () => {
    try {
      parseRepoConfig("version: 3\npaths:\n  - path: /x\n    cluster: ok\n", "cfg.yml");
      expect.unreachable();
    } catch (e) {
      expect((e as RepoConfigError).problems).toEqual([
        { file: "cfg.yml", field: "version", message: "must be 1", line: 1 },
        {
          file: "cfg.yml",
          field: "paths[0].path",
          message: "must be relative to the repository root (no leading /)",
          line: 3,
        },
      ]);
    }
  });
});

describe("paths", () => {
  const config = parseRepoConfig(FULL);

  it.each([
    // Proves files under a managed path map to its cluster.
    ["clusters/prod/app/deploy.yaml", "prod"],
    // Proves a sibling with a common prefix is not managed.
    ["clusters/production/x.yaml", undefined],
    // Proves unnormalised input is normalised first.
    ["./clusters//staging/a.yaml", "staging"],
    // Proves `..` never reaches a managed path.
    ["clusters/prod/../../etc/passwd", undefined],
    // Proves files outside every managed path are not managed.
    ["README.md", undefined],
  ])("clusterFor(%s) = %s", (file, cluster) => {
    expect(clusterFor(config, file)).toBe(cluster);
    expect(isManagedPath(config, file)).toBe(cluster !== undefined);
  });

  it("protects the config file and the policy path", () => {
    expect(protectedFiles(config)).toEqual([".github/countersign.yml", ".github/countersign-policy"]);
    expect(protectedFiles(parseRepoConfig("version: 1\npaths: [{ path: k, cluster: c }]\n"))).toEqual([
      ".github/countersign.yml",
    ]);
  });

  it.each([
    // Proves the config file itself is protected.
    [".github/countersign.yml", ".github/countersign.yml"],
    // Proves files inside a policy directory are protected.
    [".github/countersign-policy/rules.yaml", ".github/countersign-policy"],
    // Proves a sibling sharing the prefix is not.
    [".github/countersign-policy.bak", undefined],
    // Proves an unsafe path counts as protected (fail closed).
    ["../.github/countersign.yml", "../.github/countersign.yml"],
    // Proves ordinary files are not protected.
    ["clusters/prod/a.yaml", undefined],
  ])("protectedPathOf(%s) = %s", (file, expected) => {
    expect(protectedPathOf(config, file)).toBe(expected);
  });
});
