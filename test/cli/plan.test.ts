import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPlan } from "../../src/cli/plan.js";
import { buildProgram } from "../../src/cli/program.js";
import { runGit } from "../support/git.js";

const examples = join(import.meta.dirname, "../../examples");
const base = join(examples, "base");
const head = join(examples, "head");
let dir: string;

beforeAll(async () => {
  process.env["COUNTERSIGN_FINGERPRINT_KEY"] = "test-fingerprint-key";
  dir = await mkdtemp(join(tmpdir(), "countersign-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("countersign plan on a GitOps repository", () => {
  const repo = join(import.meta.dirname, "../fixtures/gitops-repo");

  it("plans the objects and lists the build inputs once, with their side", async () => {
    // Flux and kustomize config, a patch, a generator input and a Helm chart are skipped, not errors.
    const result = await runPlan({
      base: join(repo, "base"),
      head: join(repo, "head"),
      output: "json",
      clusterScopedKind: ["example.com/Widget"],
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as {
      changes: { key: string; op: string }[];
      skipped: { file: string; side: string; reason: string }[];
      errors: unknown[];
      unchanged: number;
    };
    expect(json.errors).toEqual([]);
    expect(json.changes.map((c) => [c.op, c.key])).toEqual([
      ["update", "apps/Deployment/podinfo/podinfo"],
      ["create", "batch/Job/podinfo/podinfo-migrate-*"],
    ]);
    // GitRepository, Flux Kustomization, GatewayClass, ClusterIssuer, Widget.
    expect(json.unchanged).toBe(5);
    expect(json.skipped.map((s) => [s.file, s.side])).toEqual([
      ["charts/web/Chart.yaml", "base and head"],
      ["charts/web/templates/deployment.yaml", "base and head"],
      ["charts/web/values.yaml", "base and head"],
      ["apps/podinfo/kustomization.yaml", "base and head"],
      ["apps/podinfo/replicas-patch.yaml", "base and head"],
      ["apps/podinfo/settings.yaml", "base and head"],
      ["clusters/prod/flux-system/kustomization.yaml", "base and head"],
    ]);
  });

  it("says which custom kind it cannot scope, and takes --cluster-scoped-kind for it", async () => {
    const result = await runPlan({ base: join(repo, "base"), head: join(repo, "head"), output: "json" });
    expect(result.exitCode).toBe(1);
    const json = JSON.parse(result.stdout) as { errors: { file: string; message: string; side: string }[] };
    expect(json.errors).toEqual([
      expect.objectContaining({
        file: "infra/gateway.yaml",
        side: "base and head",
        message:
          "Widget cluster-wide is namespaced but has no metadata.namespace (and no default namespace is set; " +
          "if example.com/Widget is cluster-scoped, declare it with --cluster-scoped-kind or clusterScopedKinds)",
      }),
    ]);
  });
});

describe("countersign plan", () => {
  it("plans the bundled example (markdown snapshot)", async () => {
    const result = await runPlan({ base, head });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatchSnapshot();
  });

  it("never prints the example's fake credentials", async () => {
    for (const output of ["markdown", "json"] as const) {
      const { stdout } = await runPlan({ base, head, output });
      for (const secret of [
        "new-Pa55word-not-real",
        "old-Pa55word-not-real",
        "wJalrXUtnFEMI",
        "AKIAIOSFODNN7EXAMPLE",
      ]) {
        expect(stdout).not.toContain(secret);
      }
    }
  });

  it("prints JSON in the agreed shape", async () => {
    const result = await runPlan({ base, head, output: "json" });
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(["level", "requirement", "changes", "changeSetDigest", "skipped", "errors"]),
    );
    const changes = json["changes"] as { key: string; op: string; level: string; fields: string[] }[];
    expect(changes.map((c) => [c.key, c.op])).toEqual([
      ["/ConfigMap/shop/shop-config", "update"],
      ["/PersistentVolumeClaim/shop/shop-cache", "delete"],
      ["/Secret/shop/shop-db", "update"],
      ["apps/DaemonSet/monitoring/node-exporter", "create"],
      ["apps/Deployment/shop/web", "update"],
      ["rbac.authorization.k8s.io/ClusterRoleBinding//deploy-bot-admin", "create"],
    ]);
    expect(json["changeSetDigest"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    // the example is critical: --fail-on at or below it exits 3
    ["critical", 3],
    ["medium", 3],
  ])("--fail-on %s exits %i", async (failOn, code) => {
    const result = await runPlan({ base, head, failOn: failOn as "critical" });
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toMatch(/reaches --fail-on/);
  });

  it("exits 0 under --fail-on when nothing changes", async () => {
    const result = await runPlan({ base, head: base, failOn: "low", output: "json" });
    expect(JSON.parse(result.stdout)).toMatchObject({ changes: [] });
    expect(result.exitCode).toBe(0);
  });

  it("limits to --path", async () => {
    const result = await runPlan({ base, head, path: ["apps/shop"], output: "json" });
    const json = JSON.parse(result.stdout) as { changes: { key: string }[] };
    expect(json.changes.map((c) => c.key)).toEqual([
      "/ConfigMap/shop/shop-config",
      "/PersistentVolumeClaim/shop/shop-cache",
      "/Secret/shop/shop-db",
      "apps/Deployment/shop/web",
    ]);
  });

  it("treats a path that exists on one side only as empty on the other", async () => {
    const result = await runPlan({
      base,
      head,
      path: ["monitoring", "apps/shop/configmap.yaml"],
      output: "json",
    });
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as { changes: { key: string; op: string }[] };
    expect(json.changes.map((c) => [c.key, c.op])).toEqual([
      ["/ConfigMap/shop/shop-config", "update"],
      ["apps/DaemonSet/monitoring/node-exporter", "create"],
    ]);
  });

  it("exits 1 and lists manifest errors in the output", async () => {
    const broken = join(dir, "broken");
    await cp(head, broken, { recursive: true });
    await writeFile(
      join(broken, "bad.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: [\n",
    );
    await writeFile(join(broken, "no-ns.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
    const result = await runPlan({ base, head: broken, output: "json" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("countersign plan: 3 problem(s) in the manifests (listed in the output)\n");
    const json = JSON.parse(result.stdout) as { errors: { file: string; line: number }[] };
    expect(json.errors.map((e) => [e.file, e.line])).toEqual([
      ["bad.yaml", 5],
      ["bad.yaml", 6],
      ["no-ns.yaml", 1],
    ]);
    const withDefault = await runPlan({ base, head: broken, defaultNamespace: "shop", output: "json" });
    expect(
      (JSON.parse(withDefault.stdout) as { errors: { file: string }[] }).errors.map((e) => e.file),
    ).toEqual(["bad.yaml", "bad.yaml"]);
  });

  it.each([
    // a missing directory
    [{ base: "/nonexistent/countersign", head }, /not a readable directory/],
    // an unknown policy path
    [{ base, head, policy: "/nonexistent/policy.yaml" }, /policy/],
    // a revision that looks like an option
    [{ base: "--upload-pack=x", head: "HEAD", repo: "." }, /base: invalid revision/],
    // a sub-path escaping the root
    [{ base, head, path: ["../.."] }, /not allowed/],
    // a sub-path on neither side is a typo, not an empty plan
    [{ base, head, path: ["apps", "nope"] }, /path nope exists in neither base nor head/],
  ])("exits 1 with a plain message for bad input %#", async (options, message) => {
    const result = await runPlan(options);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports oversized files from --max-file-size as manifest errors", async () => {
    const result = await runPlan({ base, head, maxFileSize: 200, output: "json" });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/over the 200 bytes limit/);
  });

  it("plans two revisions of a local Git repository", async () => {
    const repo = join(dir, "repo");
    await mkdir(repo);
    const git = (...args: string[]): string => runGit(repo, ...args);
    git("init", "-q", "-b", "main");
    await cp(base, join(repo, "deploy"), { recursive: true });
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    await rm(join(repo, "deploy"), { recursive: true });
    await cp(head, join(repo, "deploy"), { recursive: true });
    git("add", "-A");
    git("commit", "-q", "-m", "head");
    const fromGit = await runPlan({ repo, base: "HEAD~1", head: "main", path: ["deploy"], output: "json" });
    const fromDirs = await runPlan({ base, head, output: "json" });
    expect(fromGit.exitCode).toBe(0);
    // Same content, different layout (a deploy/ prefix): same change-set digest.
    expect(JSON.parse(fromGit.stdout).changeSetDigest).toBe(JSON.parse(fromDirs.stdout).changeSetDigest);
  });
});

describe("countersign plan: usage", () => {
  const parse = async (...args: string[]): Promise<CommanderError> => {
    const program = buildProgram();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    for (const command of program.commands)
      command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    try {
      await program.parseAsync(["node", "countersign", "plan", ...args]);
    } catch (error) {
      if (error instanceof CommanderError) return error;
      throw error;
    }
    throw new Error("expected a usage error");
  };

  it.each([
    // --base and --head are required
    [["--head", "x"], "commander.missingMandatoryOptionValue"],
    // formats are a closed set
    [["--base", "a", "--head", "b", "--output", "yaml"], "commander.invalidArgument"],
    // so are levels
    [["--base", "a", "--head", "b", "--fail-on", "severe"], "commander.invalidArgument"],
    // sizes are positive whole numbers
    [["--base", "a", "--head", "b", "--max-file-size", "5MB"], "commander.invalidArgument"],
    // unknown flags are refused
    [["--base", "a", "--head", "b", "--force"], "commander.unknownOption"],
    // a cluster-scoped kind is group/Kind
    [["--base", "a", "--head", "b", "--cluster-scoped-kind", "Widget"], "commander.invalidArgument"],
  ])("%j is a usage error", async (args, code) => {
    const error = await parse(...args);
    expect(error.code).toBe(code);
    expect(error.exitCode).not.toBe(0);
  });
});
