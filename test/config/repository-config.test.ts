import { describe, expect, it } from "vitest";
import {
  loadRepositoryConfig,
  loadRepositoryPolicy,
  MissingPolicyError,
  readRepositoryPolicySources,
} from "../../src/config/repository-config.js";
import type { ConfigFileReader } from "../../src/config/repository-config.js";
import { RepoConfigError } from "../../src/core/repo-config.js";

function reader(files: Record<string, string>): ConfigFileReader {
  return {
    readFile: async (path) => files[path],
    readPolicyFiles: async (path) =>
      Object.entries(files)
        .filter(([p]) => p === path || p.startsWith(`${path}/`))
        .map(([p, content]) => ({ path: p, content })),
  };
}

describe("loadRepositoryConfig", () => {
  it("says absent when the file does not exist", async () => {
    expect(await loadRepositoryConfig(reader({}))).toEqual({ status: "absent" });
  });

  it("parses the configuration and keeps its text", async () => {
    const text = "version: 1\npaths: [{ path: clusters/prod, cluster: prod }]\n";
    const loaded = await loadRepositoryConfig(reader({ ".github/countersign.yml": text }));
    expect(loaded.status === "loaded" && loaded.config.paths).toEqual([
      { path: "clusters/prod", cluster: "prod" },
    ]);
    expect(loaded.status === "loaded" && loaded.text).toBe(text);
  });

  it("throws RepoConfigError naming the field of an invalid configuration", async () => {
    const load = loadRepositoryConfig(
      reader({ ".github/countersign.yml": "version: 1\npaths: [{ path: x }]\n" }),
    );
    await expect(load).rejects.toBeInstanceOf(RepoConfigError);
    await expect(load).rejects.toThrow("paths[0].cluster");
  });
});

describe("repository policy", () => {
  const config = {
    version: 1 as const,
    file: ".github/countersign.yml",
    paths: [],
    policy: { source: "repository" as const, path: "policy" },
    agents: [],
    reviewers: { users: [], teams: [] },
  };

  it("reads nothing for the default pack", async () => {
    expect(
      await readRepositoryPolicySources(reader({}), { ...config, policy: { source: "default" } }),
    ).toBeUndefined();
  });

  it("fails closed when the named policy is missing", async () => {
    await expect(readRepositoryPolicySources(reader({}), config)).rejects.toBeInstanceOf(MissingPolicyError);
  });

  it("compiles the named policy files through the engine", async () => {
    const seen: unknown[] = [];
    const engine = {
      compilePolicy: async (sources: unknown, ns?: string) => {
        seen.push([sources, ns]);
        return {} as never;
      },
    };
    await loadRepositoryPolicy(reader({ "policy/a.yaml": "x: 1\n" }), config, engine);
    expect(seen).toEqual([[[{ file: "policy/a.yaml", content: "x: 1\n" }], undefined]]);
  });
});
