import { readFile, readdir, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { compilePolicy } from "../core/policy/index.js";
import type { CompileOptions, PolicySource, RiskPolicy } from "../core/policy/index.js";

const POLICY_FILE = /\.ya?ml$/i;

/** The shipped default pack: `policies/` at the package root (works from src/ under tsx and from dist/). */
export function defaultPolicyDir(): string {
  // This file is src/config/policy-files.ts or dist/config/policy-files.js: the root is two levels up.
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "policies");
}

async function readSources(path: string): Promise<PolicySource[]> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new Error(`reading policy ${path}: not found`, { cause });
  }
  const files = info.isDirectory()
    ? (await readdir(path))
        .filter((name) => POLICY_FILE.test(name))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new Error(`reading policy ${path}: no *.yaml or *.yml files`);
  const base = info.isDirectory() ? path : dirname(path);
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file: relative(base, file) || file, content: await readFile(file, "utf8") };
      } catch (cause) {
        throw new Error(`reading policy file ${file}`, { cause });
      }
    }),
  );
}

/** Whether any source asks for the default pack (`spec.extends: default`). Unreadable YAML fails later, in compile. */
export function extendsDefault(sources: readonly PolicySource[]): boolean {
  return sources.some((source) => {
    try {
      return parseAllDocuments(source.content).some((doc) => {
        const value: unknown = doc.errors.length > 0 ? null : doc.toJS({ maxAliasCount: 100 });
        return (value as { spec?: { extends?: unknown } } | null)?.spec?.extends === "default";
      });
    } catch {
      return false;
    }
  });
}

/**
 * The sources of a policy. No path: the default pack. A file or a directory of *.yaml/*.yml
 * (sorted by name): those files, preceded by the default pack when one of them says
 * `spec.extends: default` (the organisation's overrides go on top of the defaults).
 */
export async function loadPolicySources(path?: string): Promise<PolicySource[]> {
  const defaults = async (): Promise<PolicySource[]> =>
    (await readSources(defaultPolicyDir())).map((s) => ({ file: `default/${s.file}`, content: s.content }));
  if (path === undefined) return defaults();
  const own = await readSources(path);
  return withDefaultPack(own, defaults);
}

/** Prepends the default pack to organisation sources that extend it (the gate uses this for sources read from GitHub). */
export async function withDefaultPack(
  sources: PolicySource[],
  defaults: () => Promise<PolicySource[]> = () => loadPolicySources(),
): Promise<PolicySource[]> {
  return extendsDefault(sources) ? [...(await defaults()), ...sources] : sources;
}

/** Loads and compiles a policy (see loadPolicySources); throws PolicyError when it is invalid. */
export async function loadPolicy(path?: string, options?: CompileOptions): Promise<RiskPolicy> {
  return compilePolicy(await loadPolicySources(path), options);
}
