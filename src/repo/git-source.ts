/**
 * ManifestSource over one commit of a local Git repository, read by SHA (immutable), never by the
 * working tree. git is spawned with argument arrays only, never through a shell.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { DEFAULT_MANIFEST_LIMITS, isManifestPath } from "../core/manifest-limits.js";
import type { ManifestSource, SourceFile } from "../core/ports/manifest-source.js";
import { MissingPathError, normaliseSubPaths } from "./sub-paths.js";

const execFileAsync = promisify(execFile);

/** Flags that make git's output independent of user configuration and never prompt. */
const GIT_BASE_ARGS = ["-c", "core.quotePath=false", "--literal-pathspecs", "--no-pager"];
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" };

export interface GitSourceOptions {
  /** Blobs larger than this are returned with `size` and empty content. Default 5 MB. */
  maxFileBytes?: number;
}

/** Runs git in `repo` with argument arrays (never a shell); errors say what was being done. */
export async function git(repo: string, args: string[], what: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", [...GIT_BASE_ARGS, ...args], {
      cwd: repo,
      env: GIT_ENV,
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; code?: unknown; signal?: unknown };
    const stderr = failure.stderr?.trim().split("\n")[0] ?? "";
    // execFile's own message repeats the whole command line; say in plain words how git ended.
    const how =
      failure.code === "ENOENT"
        ? "git is not installed or not on PATH"
        : failure.code === 1 && args[0] === "rev-parse" && stderr === ""
          ? "unknown revision or not a commit"
          : typeof failure.code === "number"
            ? `git ${args[0] ?? ""} exited with code ${failure.code}`
            : `git ${args[0] ?? ""} failed (${String(failure.signal ?? failure.code ?? "unknown reason")})`;
    throw new Error(`${what}${stderr ? `: ${stderr}` : ""}`, { cause: new Error(how) });
  }
}

/** Resolves a revision (branch, tag, SHA...) to the full SHA of a commit. Rejects revisions that look like options. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  if (rev === "" || rev.startsWith("-") || /[\s\0]/.test(rev)) {
    throw new Error(`invalid revision ${JSON.stringify(rev)}`);
  }
  const out = await git(
    repo,
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    `resolving revision ${rev} in ${repo}`,
  );
  const sha = out.trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha))
    throw new Error(`resolving revision ${rev} in ${repo}: not a commit`);
  return sha;
}

interface TreeEntry {
  object: string;
  size: number;
  path: string;
}

export class GitManifestSource implements ManifestSource {
  private readonly maxFileBytes: number;

  /** Use `openGitSource` to build one from a revision; `commit` must be a full SHA. */
  constructor(
    readonly repo: string,
    readonly commit: string,
    options: GitSourceOptions = {},
  ) {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit))
      throw new Error(`GitManifestSource needs a full commit SHA`);
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MANIFEST_LIMITS.maxFileBytes;
  }

  async read(paths: string[]): Promise<SourceFile[]> {
    const subPaths = normaliseSubPaths(paths).filter((p) => p !== "");
    const limited = paths.length > 0 && subPaths.length === paths.length;
    const what = `reading manifests at ${this.commit.slice(0, 12)}${limited ? ` (${subPaths.join(", ")})` : ""}`;
    const listing = await git(
      this.repo,
      ["ls-tree", "-r", "-z", "--long", "--full-tree", this.commit, "--", ...(limited ? subPaths : [])],
      what,
    );
    const entries: TreeEntry[] = [];
    for (const record of listing.split("\0")) {
      if (record === "") continue;
      const tab = record.indexOf("\t");
      const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
      const path = record.slice(tab + 1);
      // Regular files only: symlinks (120000) and submodules (160000) are not manifests.
      if (type !== "blob" || (mode !== "100644" && mode !== "100755") || !object || !isManifestPath(path))
        continue;
      entries.push({ object, size: Number(size), path });
    }
    if (limited) {
      for (const sub of subPaths) {
        if (!entries.some((e) => e.path === sub || e.path.startsWith(`${sub}/`))) {
          // An empty listing for a path is indistinguishable from a typo; say so rather than plan nothing.
          const exists = await git(this.repo, ["ls-tree", "--name-only", this.commit, "--", sub], what);
          if (exists.trim() === "")
            throw new MissingPathError(`${what}: path ${sub} does not exist in the commit`, sub);
        }
      }
    }
    const small = entries.filter((e) => e.size <= this.maxFileBytes);
    const contents = await catFileBatch(
      this.repo,
      small.map((e) => e.object),
      what,
    );
    return entries.map((e) =>
      e.size > this.maxFileBytes
        ? { path: e.path, content: "", size: e.size }
        : { path: e.path, content: contents.get(e.object) ?? "" },
    );
  }
}

/** Opens a source at `rev` of the repository in `repo`, resolved to a commit SHA first. */
export async function openGitSource(
  repo: string,
  rev: string,
  options: GitSourceOptions = {},
): Promise<GitManifestSource> {
  return new GitManifestSource(repo, await resolveCommit(repo, rev), options);
}

/** Reads blobs with one `git cat-file --batch` process. */
export function catFileBatch(repo: string, objects: string[], what: string): Promise<Map<string, string>> {
  const unique = [...new Set(objects)];
  const result = new Map<string, string>();
  if (unique.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...GIT_BASE_ARGS, "cat-file", "--batch"], {
      cwd: repo,
      env: GIT_ENV,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", (cause) => reject(new Error(`${what}: cannot run git`, { cause })));
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`${what}: git cat-file failed${stderr ? `: ${stderr.trim().split("\n")[0]}` : ""}`));
        return;
      }
      const out = Buffer.concat(chunks);
      let offset = 0;
      try {
        for (const object of unique) {
          const newline = out.indexOf(0x0a, offset);
          const header = out.subarray(offset, newline).toString("utf8");
          const [sha, type, size] = header.split(" ");
          if (sha !== object || type !== "blob" || size === undefined)
            throw new Error(`unexpected object ${header}`);
          const start = newline + 1;
          const end = start + Number(size);
          result.set(object, out.subarray(start, end).toString("utf8"));
          offset = end + 1;
        }
      } catch (cause) {
        reject(new Error(`${what}: unexpected git cat-file output`, { cause }));
        return;
      }
      resolve(result);
    });
    child.stdin.on("error", () => undefined); // A failing git closes stdin early; "close" reports it.
    child.stdin.end(`${unique.join("\n")}\n`);
  });
}
