/**
 * Loads the repository configuration (`.github/countersign.yml`) and the policy it names, through
 * whatever reads files: the gate reads them on the default branch, the reconciler at the commit it
 * applies (by SHA). Parsing and validation are the core's; this module only fetches and wires.
 */
import { REPO_CONFIG_PATH } from "../core/constants.js";
import { parseRepoConfig } from "../core/repo-config.js";
import type { RepoConfig } from "../core/repo-config.js";
import type { CompiledPolicy } from "../core/ports/policy.js";
import type { PolicyEngine, PolicySourceFile } from "../policy-engine/engine.js";

/** Reads one file (undefined when absent), and the policy files at a path (a file or the YAML files of a directory). */
export interface ConfigFileReader {
  readFile(path: string): Promise<string | undefined>;
  readPolicyFiles(path: string): Promise<{ path: string; content: string }[]>;
}

export type LoadedRepositoryConfig =
  { status: "absent" } | { status: "loaded"; config: RepoConfig; text: string };

/**
 * The repository configuration, or `absent` when the file does not exist. Throws RepoConfigError
 * (every problem named by field) when it is invalid.
 */
export async function loadRepositoryConfig(reader: ConfigFileReader): Promise<LoadedRepositoryConfig> {
  const text = await reader.readFile(REPO_CONFIG_PATH);
  if (text === undefined) return { status: "absent" };
  return { status: "loaded", config: parseRepoConfig(text, REPO_CONFIG_PATH), text };
}

/** Thrown when the policy the configuration names does not exist. */
export class MissingPolicyError extends Error {
  constructor(readonly path: string) {
    super(`${path} does not exist`);
    this.name = "MissingPolicyError";
  }
}

/** The policy files the configuration names (undefined: the default pack), read through `reader`. */
export async function readRepositoryPolicySources(
  reader: ConfigFileReader,
  config: RepoConfig,
): Promise<PolicySourceFile[] | undefined> {
  if (config.policy.source !== "repository") return undefined;
  const files = await reader.readPolicyFiles(config.policy.path);
  if (files.length === 0) throw new MissingPolicyError(config.policy.path);
  return files.map((f) => ({ file: f.path, content: f.content }));
}

/** The compiled policy the configuration names. Throws on a missing or invalid policy (fail closed). */
export async function loadRepositoryPolicy(
  reader: ConfigFileReader,
  config: RepoConfig,
  engine: Pick<PolicyEngine, "compilePolicy">,
): Promise<CompiledPolicy> {
  const sources = await readRepositoryPolicySources(reader, config);
  return engine.compilePolicy(sources, config.countersignNamespace);
}
