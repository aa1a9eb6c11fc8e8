/**
 * The desired state at one commit: every manifest under the managed paths, parsed the way the gate
 * parses them (the repository configuration's default namespace, the CRD scopes of the whole set),
 * so the digests match the ones approval records bind.
 */
import { REPO_CONFIG_PATH } from "../core/constants.js";
import { buildManifestSet } from "../core/manifest-set.js";
import type { ManifestParseCache } from "../core/manifest-set.js";
import type { ManifestSet } from "../core/model.js";
import { crdScope } from "../core/object-key.js";
import type { SourceFile } from "../core/ports/manifest-source.js";
import type { RepoRef, RevisionReader } from "../core/ports/revision-reader.js";
import { parseRepoConfig } from "../core/repo-config.js";
import type { RepoConfig } from "../core/repo-config.js";
import { readRevision } from "../manifests/read-revision.js";

export interface DesiredState {
  sha: string;
  set: ManifestSet;
  config: RepoConfig | undefined;
  /** Builds another set (a commit of the history) with the same options, so digests compare. */
  buildSet(files: SourceFile[]): ManifestSet;
}

/** The repository configuration in commit `sha`, or undefined when it has none. Throws RepoConfigError when invalid. */
export async function readConfigAt(
  reader: RevisionReader,
  repo: RepoRef,
  sha: string,
): Promise<RepoConfig | undefined> {
  const [file] = await reader.listTree(repo, sha, [REPO_CONFIG_PATH]);
  if (file === undefined || file.path !== REPO_CONFIG_PATH) return undefined;
  return parseRepoConfig(await reader.readBlob(repo, file.blobSha), REPO_CONFIG_PATH);
}

/** Reads and parses the desired state at `sha`. */
export async function readDesired(
  reader: RevisionReader,
  repo: RepoRef,
  sha: string,
  paths: readonly string[],
  cache?: ManifestParseCache,
  /** The deployment's key for Secret digests: the gate's, so approved and desired digests match. */
  secretDigestKey?: string,
): Promise<DesiredState> {
  const config = await readConfigAt(reader, repo, sha);
  const { files } = await readRevision(reader, repo, sha, paths);
  const base = {
    ...(config?.defaultNamespace === undefined ? {} : { defaultNamespace: config.defaultNamespace }),
    ...(secretDigestKey === undefined ? {} : { secretDigestKey }),
  };
  // The repository's declared cluster-scoped kinds, as the gate reads them: keys and digests match.
  const declared = config?.clusterScopedKinds ?? [];
  const set = buildManifestSet(files, {
    ...base,
    clusterScopedKinds: declared,
    ...(cache === undefined ? {} : { cache }),
  });
  const clusterScopedKinds = [
    ...declared,
    ...[...set.objects.values()].flatMap((o) => {
      const scope = crdScope(o.object);
      return scope?.clusterScoped === true ? [scope.groupKind] : [];
    }),
  ];
  return {
    sha,
    set,
    config,
    buildSet: (more) => buildManifestSet(more, { ...base, clusterScopedKinds }),
  };
}
