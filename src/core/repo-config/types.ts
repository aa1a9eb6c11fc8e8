/** One managed path of the repository and the cluster its manifests are applied to. */
export interface ManagedPath {
  /** Normalised repository path: no leading or trailing `/`, no `.` or `..` segments. */
  path: string;
  /** Cluster name (a DNS label). */
  cluster: string;
}

/** Where the policy comes from: the default pack shipped with countersign, or a file or directory of the repository. */
export type PolicySource = { source: "default" } | { source: "repository"; path: string };

/** `.github/countersign.yml`, parsed and validated (read from the default branch only). */
export interface RepoConfig {
  version: 1;
  /** The file the config was read from (a protected file). */
  file: string;
  /** Managed paths, sorted by path; never nested in one another. */
  paths: ManagedPath[];
  policy: PolicySource;
  /** Agent accounts (logins, lower-cased): never approvers. */
  agents: string[];
  /** Extra eligible reviewers: users (lower-cased logins) and teams (`org/slug`, lower-cased). */
  reviewers: { users: string[]; teams: string[] };
  /** Namespace given to namespaced objects that name none. */
  defaultNamespace?: string;
  /**
   * Namespace countersign itself runs in. Absent when the file names none: the policy's own
   * `spec.countersignNamespace` (or the pack default, `countersign-system`) then applies.
   */
  countersignNamespace?: string;
  /** Extra cluster-scoped custom kinds as `group/Kind`, sorted (see src/core/well-known-kinds.ts). */
  clusterScopedKinds?: string[];
}

/** One problem found in a repository configuration file. */
export interface RepoConfigProblem {
  file: string;
  /** Dotted field path, e.g. `paths[1].cluster`; empty for the whole file. */
  field: string;
  message: string;
  line?: number;
}

/** The repository configuration is invalid: the gate fails closed and lists every problem. */
export class RepoConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: RepoConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid repository configuration ${file}: ${problems
        .map(
          (p) =>
            `${p.field === "" ? "" : `${p.field}: `}${p.message}${p.line === undefined ? "" : ` (line ${p.line})`}`,
        )
        .join("; ")}`,
      options,
    );
    this.name = "RepoConfigError";
  }
}
