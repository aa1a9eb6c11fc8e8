/**
 * One file of a revision, as every reader returns it (directory, local Git, GitHub) and as
 * buildManifestSet takes it. `size` (bytes) is set when the file was too large to be read whole.
 */
export interface SourceFile {
  /** Path relative to the source root, `/`-separated. */
  path: string;
  content: string;
  size?: number;
}

/**
 * Reads manifest files at one revision (a directory tree, a commit of a local repository...).
 * `paths` are sub-paths to limit the read to; `[]` means everything. Only .yaml/.yml/.json files
 * are returned. Implemented by src/repo/fs-source.ts and src/repo/git-source.ts.
 */
export interface ManifestSource {
  read(paths: string[]): Promise<SourceFile[]>;
}
