/**
 * Validation of the sub-paths a manifest source is limited to: relative, `/`-separated, no `..`,
 * no leading `-` (never mistaken for an option), no NUL. Returns them normalised (no `./`, no
 * trailing `/`); `""` stands for the whole tree.
 */
export function normaliseSubPaths(paths: string[]): string[] {
  return paths.map((raw) => {
    const path = raw.replace(/\\/g, "/");
    if (path.includes("\0")) throw new Error(`invalid path ${JSON.stringify(raw)}: contains NUL`);
    if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
      throw new Error(`invalid path ${JSON.stringify(raw)}: must be relative to the manifest root`);
    }
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) throw new Error(`invalid path ${JSON.stringify(raw)}: ".." is not allowed`);
    if (parts[0]?.startsWith("-"))
      throw new Error(`invalid path ${JSON.stringify(raw)}: must not start with "-"`);
    return parts.join("/");
  });
}

/** A sub-path that names nothing at this revision: callers comparing two revisions may treat it as empty on one side. */
export class MissingPathError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "MissingPathError";
  }
}
