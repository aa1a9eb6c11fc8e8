import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultPolicyDir,
  loadPolicy,
  loadPolicySources,
  withDefaultPack,
} from "../../src/config/policy-files.js";

let dir: string;
const doc = (name: string, spec: string) =>
  `apiVersion: countersign.dev/v1alpha1\nkind: RiskPolicy\nmetadata: { name: ${name} }\nspec:\n${spec}\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countersign-policy-files-"));
  await mkdir(join(dir, "standalone"));
  await writeFile(
    join(dir, "standalone", "b.yml"),
    doc("b", "  rules:\n    - { name: b-rule, level: high, reason: b }"),
  );
  await writeFile(
    join(dir, "standalone", "a.yaml"),
    doc("a", "  rules:\n    - { name: a-rule, level: low, reason: a }"),
  );
  await writeFile(join(dir, "standalone", "notes.txt"), "not a policy");
  await writeFile(join(dir, "org.yaml"), doc("org", "  extends: default\n  rules: []"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("policy files", () => {
  it("finds the default pack from the source tree", () => {
    // policies/ is resolved relative to the package root, not the working directory.
    expect(existsSync(join(defaultPolicyDir(), "pod-security.yaml"))).toBe(true);
  });

  it("reads a directory's *.yaml and *.yml files, sorted, without the default pack", async () => {
    // Only policy files, in name order; no extends → the files stand alone.
    const sources = await loadPolicySources(join(dir, "standalone"));
    expect(sources.map((s) => s.file)).toEqual(["a.yaml", "b.yml"]);
    const policy = await loadPolicy(join(dir, "standalone"));
    expect(policy.rules.map((r) => r.spec.name)).toEqual(["a-rule", "b-rule"]);
  });

  it("puts the default pack first when a file extends it", async () => {
    // extends: default → default/*.yaml sources, then the org's file.
    const sources = await loadPolicySources(join(dir, "org.yaml"));
    expect(sources[0]?.file).toMatch(/^default\//);
    expect(sources.at(-1)?.file).toBe("org.yaml");
  });

  it("lets the gate add the pack to sources it read elsewhere", async () => {
    // withDefaultPack prepends the pack only when asked to.
    const org = { file: "policy.yaml", content: doc("org", "  extends: default") };
    expect((await withDefaultPack([org])).length).toBeGreaterThan(1);
    const alone = { file: "policy.yaml", content: doc("org", "  rules: []") };
    expect(await withDefaultPack([alone])).toEqual([alone]);
  });

  it("loads the default pack when no path is given", async () => {
    // No argument: the shipped pack, compiled.
    const policy = await loadPolicy();
    expect(policy.rules.length).toBeGreaterThan(40);
  });
});
