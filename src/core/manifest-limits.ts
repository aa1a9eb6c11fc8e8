/** Bounds on hostile input: every limit gives a clear error naming the file, never a hang or an out-of-memory. */
export interface ManifestLimits {
  /** Largest manifest file read, in bytes (default 5 MB). */
  maxFileBytes: number;
  /** YAML alias nodes allowed per document (alias bombs). */
  maxAliasCount: number;
  /** Deepest nesting of maps/lists allowed in a document. */
  maxDepth: number;
  /** Most Kubernetes objects (after List expansion) in a whole manifest set. */
  maxObjects: number;
  /** Most errors recorded per file before the rest of the file is abandoned. */
  maxErrorsPerFile: number;
}

export const DEFAULT_MANIFEST_LIMITS: Readonly<ManifestLimits> = Object.freeze({
  maxFileBytes: 5 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 128,
  maxObjects: 100_000,
  maxErrorsPerFile: 20,
});

/** Merges overrides into the defaults, rejecting non-positive or non-integer values. */
export function resolveLimits(overrides?: Partial<ManifestLimits>): ManifestLimits {
  const limits: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || (value as number) < (name === "maxAliasCount" ? 0 : 1)) {
      throw new Error(`manifest limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}

/** Only these file names are manifests; every other file under the managed paths is ignored. */
export function isManifestPath(path: string): boolean {
  return /\.(ya?ml|json)$/i.test(path);
}

/** Human-readable byte count for error messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
