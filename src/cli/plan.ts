import { randomBytes } from "node:crypto";
import { InvalidArgumentError, Option } from "commander";
import type { Command } from "commander";
import { loadPolicy } from "../config/policy-files.js";
import { buildManifestSet, createManifestParseCache } from "../core/manifest-set.js";
import { CLI_ERROR_CHARS, describeError } from "../core/error-text.js";
import { RISK_LEVELS } from "../core/model.js";
import type { ManifestSet, Plan, RiskLevel } from "../core/model.js";
import { plan } from "../core/plan.js";
import { GROUP_KIND_PATTERN } from "../core/well-known-kinds.js";
import type { ManifestSource, SourceFile } from "../core/ports/manifest-source.js";
import { FsManifestSource } from "../repo/fs-source.js";
import { openGitSource } from "../repo/git-source.js";
import { MissingPathError } from "../repo/sub-paths.js";
import { EXIT } from "./exit-codes.js";
import { createMasker } from "../core/mask/masker.js";
import { renderJson } from "../core/report/json.js";
import { renderMarkdown } from "../core/report/markdown.js";

/** Environment variable holding the fingerprint (HMAC) key for masked secret values. */
export const FINGERPRINT_KEY_ENV = "COUNTERSIGN_FINGERPRINT_KEY";

export interface PlanOptions {
  base: string;
  head: string;
  repo?: string;
  path?: string[];
  policy?: string;
  output?: "markdown" | "json";
  failOn?: RiskLevel;
  defaultNamespace?: string;
  maxFileSize?: number;
  /** Extra cluster-scoped custom kinds as `group/Kind` (`--cluster-scoped-kind`, repeatable). */
  clusterScopedKind?: string[];
}

export interface PlanResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `countersign plan` without touching process state: what to print, and the exit code. */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const paths = options.path ?? [];
  const maxFileBytes = options.maxFileSize;
  const fail = (message: string): PlanResult => ({
    exitCode: EXIT.invalidInput,
    stdout: "",
    stderr: `countersign plan: ${message}\n`,
  });

  let base: ManifestSet;
  let head: ManifestSet;
  try {
    const open = async (where: string, side: string): Promise<ManifestSource> => {
      if (options.repo === undefined)
        return new FsManifestSource(where, maxFileBytes ? { maxFileBytes } : {});
      try {
        return await openGitSource(options.repo, where, maxFileBytes ? { maxFileBytes } : {});
      } catch (cause) {
        throw new Error(`${side}: ${(cause as Error).message}`, { cause });
      }
    };
    const setOptions = {
      cache: createManifestParseCache(),
      ...(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace }),
      ...(maxFileBytes === undefined ? {} : { limits: { maxFileBytes } }),
      clusterScopedKinds: options.clusterScopedKind ?? [],
      // Secret digests are keyed as the gate keys them, so a plan's digests never allow guessing values.
      secretDigestKey: process.env[FINGERPRINT_KEY_ENV] || randomBytes(32),
    };
    const [baseSource, headSource] = await Promise.all([
      open(options.base, "base"),
      open(options.head, "head"),
    ]);
    const [baseSide, headSide] = await Promise.all([
      readSide(baseSource, paths),
      readSide(headSource, paths),
    ]);
    // A path may be new in head or removed in head; a path in neither is a mistake.
    const nowhere = baseSide.missing.filter((p) => headSide.missing.includes(p));
    if (nowhere.length > 0) throw new Error(`path ${nowhere.join(", ")} exists in neither base nor head`);
    const baseFiles = baseSide.files;
    const headFiles = headSide.files;
    base = buildManifestSet(baseFiles, setOptions);
    head = buildManifestSet(headFiles, setOptions);
  } catch (error) {
    return fail(describeError(error, CLI_ERROR_CHARS));
  }

  let result: Plan;
  try {
    result = plan(base, head, await loadPolicy(options.policy));
  } catch (error) {
    return fail(describeError(error, CLI_ERROR_CHARS));
  }

  // A stable key makes fingerprints comparable between runs; without one they are per-process.
  const fingerprintKey = process.env[FINGERPRINT_KEY_ENV];
  const masker = createMasker(fingerprintKey ? { fingerprintKey } : {});
  const stdout =
    options.output === "json"
      ? `${JSON.stringify(renderJson(result, { masker }), null, 2)}\n`
      : renderMarkdown(result, { masker, maxChars: Number.MAX_SAFE_INTEGER });
  if (result.errors.length > 0) {
    return {
      exitCode: EXIT.invalidInput,
      stdout,
      stderr: `countersign plan: ${result.errors.length} problem(s) in the manifests (listed in the output)\n`,
    };
  }
  // The level of what changes: with no change there is nothing risky, whatever the base level.
  const level = result.changeSet.changes.length > 0 ? result.classification.level : undefined;
  if (
    options.failOn !== undefined &&
    level !== undefined &&
    RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(options.failOn)
  ) {
    return {
      exitCode: EXIT.failOn,
      stdout,
      stderr: `countersign plan: risk ${level} reaches --fail-on ${options.failOn}\n`,
    };
  }
  return { exitCode: EXIT.ok, stdout, stderr: "" };
}

/** Reads one side path by path, so that a path missing on this side reads as empty, not as an error. */
async function readSide(
  source: ManifestSource,
  paths: string[],
): Promise<{ files: SourceFile[]; missing: string[] }> {
  if (paths.length === 0) return { files: await source.read([]), missing: [] };
  const files = new Map<string, SourceFile>();
  const missing: string[] = [];
  for (const path of paths) {
    try {
      for (const file of await source.read([path])) files.set(file.path, file);
    } catch (error) {
      if (!(error instanceof MissingPathError)) throw error;
      missing.push(path);
    }
  }
  return { files: [...files.values()], missing };
}

function parseGroupKind(value: string, previous: string[]): string[] {
  if (!GROUP_KIND_PATTERN.test(value))
    throw new InvalidArgumentError(
      "must be group/Kind, e.g. example.com/Widget (an empty group is the core group)",
    );
  return [...previous, value];
}

function parseBytes(value: string): number {
  const bytes = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError("must be a positive whole number of bytes");
  }
  return bytes;
}

/** Registers `countersign plan`. */
export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "Plan a change: what changes between two manifest trees, how risky it is, and who must approve",
    )
    .requiredOption("--base <dir|rev>", "manifests before the change: a directory, or a revision with --repo")
    .requiredOption("--head <dir|rev>", "manifests after the change: a directory, or a revision with --repo")
    .option("--repo <git dir>", "read --base and --head as revisions of this local Git repository")
    .option(
      "--path <subdir>",
      "limit to this sub-path (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--policy <file|dir>", "policy file or directory (default: the shipped policies/)")
    .addOption(
      new Option("--output <format>", "output format").choices(["markdown", "json"]).default("markdown"),
    )
    .addOption(
      new Option("--fail-on <level>", "exit 3 when the plan's risk reaches this level").choices(RISK_LEVELS),
    )
    .option("--default-namespace <ns>", "namespace for namespaced objects that name none")
    .option("--max-file-size <bytes>", "largest manifest file read (default 5242880)", parseBytes)
    .option(
      "--cluster-scoped-kind <group/Kind>",
      "a custom kind whose CRD is not in the tree is cluster-scoped (repeatable; adds to the built-in table)",
      parseGroupKind,
      [],
    )
    .action(async (opts: PlanOptions) => {
      const result = await runPlan(opts);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
