import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsManifestSource } from "../../src/repo/fs-source.js";

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "countersign-fs-"));
  root = join(dir, "root");
  await mkdir(join(root, "apps/web"), { recursive: true });
  await mkdir(join(root, "platform"), { recursive: true });
  await mkdir(join(dir, "outside"), { recursive: true });
  await writeFile(join(root, "apps/web/deploy.yaml"), "kind: A\n");
  await writeFile(join(root, "apps/web/notes.md"), "# not a manifest\n");
  await writeFile(join(root, "platform/ns.json"), "{}");
  await writeFile(join(root, "platform/big.yml"), "x".repeat(2048));
  await writeFile(join(dir, "outside/secret.yaml"), "kind: Outside\n");
  await symlink(join(dir, "outside"), join(root, "escape"));
  await symlink(join(dir, "outside/secret.yaml"), join(root, "escape-file.yaml"));
  await symlink(join(root, "platform"), join(root, "apps/platform-link"));
  await symlink(join(root, "apps"), join(root, "apps/web/loop"));
  await symlink(join(root, "platform/ns.json"), join(root, "apps/ns-link.json"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FsManifestSource", () => {
  it("reads manifest files only, following file links inside the root, no directory links, no links out", async () => {
    const files = await new FsManifestSource(root, { maxFileBytes: 1024 }).read([]);
    expect(files.map((f) => f.path)).toEqual([
      "apps/ns-link.json",
      "apps/web/deploy.yaml",
      "platform/big.yml",
      "platform/ns.json",
    ]);
    expect(files.find((f) => f.path === "platform/big.yml")).toEqual({
      path: "platform/big.yml",
      content: "",
      size: 2048,
    });
    expect(files.find((f) => f.path === "apps/web/deploy.yaml")?.content).toBe("kind: A\n");
  });

  it.each([
    // a sub-path limits the read
    [["platform"], ["platform/big.yml", "platform/ns.json"]],
    // several sub-paths, with ./ and trailing slashes normalised
    [
      ["./apps/web/", "platform/ns.json"],
      ["apps/web/deploy.yaml", "platform/ns.json"],
    ],
  ])("limits to %j", async (paths, expected) => {
    const files = await new FsManifestSource(root).read(paths);
    expect(files.map((f) => f.path)).toEqual(expected);
  });

  it.each([
    // parent references are rejected before touching the file system
    [["../outside"], /"\.\." is not allowed/],
    // absolute paths are rejected
    [["/etc"], /must be relative/],
    // a link that leaves the root is refused when named directly
    [["escape"], /leaves the root/],
    // a missing path is an error, not an empty plan
    [["nope"], /does not exist/],
  ])("rejects %j", async (paths, message) => {
    await expect(new FsManifestSource(root).read(paths)).rejects.toThrow(message);
  });

  it("says when the root is not a directory", async () => {
    await expect(new FsManifestSource(join(dir, "missing")).read([])).rejects.toThrow(
      /not a readable directory/,
    );
  });
});
