/**
 * ManifestSource over a directory tree. A symbolic link to a file is followed only when its real
 * path stays inside the root; links to directories are not followed (no loops, no object listed
 * twice). Files over the size limit are reported with their size, not read.
 */
import { open, readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { DEFAULT_MANIFEST_LIMITS, isManifestPath } from "../core/manifest-limits.js";
import type { ManifestSource, SourceFile } from "../core/ports/manifest-source.js";
import { MissingPathError, normaliseSubPaths } from "./sub-paths.js";

export interface FsSourceOptions {
  /** Files larger than this are returned with `size` and empty content. Default 5 MB. */
  maxFileBytes?: number;
}

export class FsManifestSource implements ManifestSource {
  private readonly maxFileBytes: number;

  constructor(
    private readonly root: string,
    options: FsSourceOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MANIFEST_LIMITS.maxFileBytes;
  }

  async read(paths: string[]): Promise<SourceFile[]> {
    let rootReal: string;
    try {
      rootReal = await realpath(this.root);
      if (!(await stat(rootReal)).isDirectory()) throw new Error("not a directory");
    } catch (cause) {
      throw new Error(`reading manifests from ${this.root}: not a readable directory`, { cause });
    }
    const subPaths = normaliseSubPaths(paths.length === 0 ? [""] : paths);
    const files = new Map<string, SourceFile>();
    const visited = new Set<string>();
    for (const sub of subPaths) {
      const start = join(rootReal, sub);
      let real: string;
      try {
        real = await realpath(start);
      } catch {
        throw new MissingPathError(`reading manifests from ${this.root}: path ${sub} does not exist`, sub);
      }
      if (!inside(rootReal, real))
        throw new Error(`reading manifests from ${this.root}: path ${sub} leaves the root`);
      await this.walk(rootReal, real, relative(rootReal, start), files, visited);
    }
    return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Walks `real` (a real path inside the root), naming files by `logical`, their path as seen from the root. */
  private async walk(
    rootReal: string,
    real: string,
    logical: string,
    files: Map<string, SourceFile>,
    visited: Set<string>,
  ): Promise<void> {
    const info = await stat(real);
    if (info.isFile()) {
      const path = logical.split(sep).join("/");
      if (isManifestPath(path) && !files.has(path))
        files.set(path, await this.readFile(real, path, info.size));
      return;
    }
    if (!info.isDirectory() || visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(real, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === ".git") continue;
      let target = join(real, entry.name);
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(target);
        } catch {
          continue; // A dangling link names nothing.
        }
        if (!inside(rootReal, target)) continue; // Never follow a link out of the root.
        if (!(await stat(target)).isFile()) continue; // Nor into a directory.
      } else if (!entry.isFile() && !entry.isDirectory()) continue;
      await this.walk(rootReal, target, join(logical, entry.name), files, visited);
    }
  }

  private async readFile(real: string, path: string, size: number): Promise<SourceFile> {
    if (size > this.maxFileBytes) return { path, content: "", size };
    const handle = await open(real, "r");
    try {
      // Read at most one byte over the limit, in case the file grew since stat.
      const buffer = Buffer.alloc(Math.min(size, this.maxFileBytes) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > this.maxFileBytes) return { path, content: "", size: bytesRead };
      return { path, content: buffer.subarray(0, bytesRead).toString("utf8") };
    } finally {
      await handle.close();
    }
  }
}

function inside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}
