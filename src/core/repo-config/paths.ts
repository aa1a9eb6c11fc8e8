import type { RepoConfig } from "./types.js";

/**
 * Normalise a repository path (`./a//b/` -> `a/b`), or return an error message when it is not a
 * safe relative path: absolute, `..` segments, backslashes, control characters, empty.
 */
export function normaliseRepoPath(input: string): { path: string } | { error: string } {
  if (input.length === 0) return { error: "is empty" };
  if (input.length > 1024) return { error: "is longer than 1024 characters" };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(input)) return { error: "contains a backslash or a control character" };
  if (input.startsWith("/")) return { error: "must be relative to the repository root (no leading /)" };
  const segments = input.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { error: "must not contain .." };
  if (segments.length === 0) return { error: "names the repository root" };
  return { path: segments.join("/") };
}

/** True when `file` is `dir` or inside it (both normalised). */
export function isWithin(dir: string, file: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

function normalised(file: string): string | undefined {
  const n = normaliseRepoPath(file);
  return "path" in n ? n.path : undefined;
}

/** The files whose change makes a PR critical: the repository configuration and the repository policy (file or directory). */
export function protectedFiles(config: RepoConfig): string[] {
  const files = [config.file];
  if (config.policy.source === "repository") files.push(config.policy.path);
  return files;
}

/** The protected path (from `protectedFiles`) that `file` is or lies in, if any. Unsafe paths count as protected (fail closed). */
export function protectedPathOf(config: RepoConfig, file: string): string | undefined {
  const n = normalised(file);
  if (n === undefined) return file;
  return protectedFiles(config).find((p) => isWithin(p, n));
}

/** True when `file` lies under one of the managed paths. */
export function isManagedPath(config: RepoConfig, file: string): boolean {
  return clusterFor(config, file) !== undefined;
}

/** The cluster of the managed path `file` lies under, or undefined when it is not managed. */
export function clusterFor(config: RepoConfig, file: string): string | undefined {
  const n = normalised(file);
  if (n === undefined) return undefined;
  return config.paths.find((p) => isWithin(p.path, n))?.cluster;
}
