/**
 * Builds a ManifestSet from files: parses every manifest file, validates each object's identity,
 * and indexes objects by key. Two passes, so that CRDs anywhere in the set declare the scope of
 * their kinds before any object is keyed.
 */
import { contentDigest, stripServerFields } from "./canonical.js";
import type { SecretDigestKey } from "./canonical.js";
import { isManifestPath, resolveLimits } from "./manifest-limits.js";
import type { ManifestLimits } from "./manifest-limits.js";
import { parseManifestFile } from "./manifest-parse.js";
import type { ParsedDocument, ParsedFile } from "./manifest-parse.js";
import type { SourceFile } from "./ports/manifest-source.js";
import type { KubeObject, ManifestError, ManifestObject, ManifestSet } from "./model.js";
import { findBuildInputs } from "./build-inputs.js";
import { crdScope, isClusterScoped, objectKey, splitApiVersion } from "./object-key.js";

/** One file handed to buildManifestSet: the one file type every reader returns (src/core/ports/manifest-source.ts). */
export type { SourceFile } from "./ports/manifest-source.js";

export interface BuildManifestSetOptions {
  /** Namespace given to namespaced objects that name none; without it they are errors. */
  defaultNamespace?: string;
  /**
   * The deployment's key (COUNTERSIGN_FINGERPRINT_KEY): Secrets get keyed digests (see
   * contentDigest). The gate and the reconciler must pass the same key.
   */
  secretDigestKey?: SecretDigestKey;
  limits?: Partial<ManifestLimits>;
  /** Extra cluster-scoped kinds as `group/Kind` (custom resources whose CRD is not in the set). */
  clusterScopedKinds?: string[];
  /**
   * Shared between the two sides of a plan: a file with the same path and content at base and
   * head is parsed once. Most files of a typical change are identical on both sides.
   */
  cache?: ManifestParseCache;
}

/** Parsed files by path; reused only for identical content and limits. Create one per plan. */
export type ManifestParseCache = Map<
  string,
  { content: string; size?: number; limits: string; parsed: ParsedFile }
>;

export function createManifestParseCache(): ManifestParseCache {
  return new Map();
}

/** DNS-label-ish check kept loose on purpose: the API server validates names; we only need a safe key. */
const KEY_PART = /^[^/\s\p{Cc}]{1,253}$/u;

/**
 * Parses `files` into a ManifestSet. Files not ending in .yaml/.yml/.json are ignored. Never throws
 * on content: problems are listed in `errors` (duplicate keys name both places).
 */
export function buildManifestSet(files: SourceFile[], options: BuildManifestSetOptions = {}): ManifestSet {
  const limits = resolveLimits(options.limits);
  const set: ManifestSet = { objects: new Map(), skipped: [], errors: [] };
  const documents: ParsedDocument[] = [];
  let remaining = limits.maxObjects;
  const manifests = files.filter((f) => isManifestPath(f.path));
  // kustomize and Helm inputs are listed as skipped, never parsed as objects (src/core/build-inputs.ts).
  const buildInputs = findBuildInputs(manifests);
  for (const [file, reason] of buildInputs) set.skipped.push({ file, line: 1, reason });
  const sorted = manifests.filter((f) => !buildInputs.has(f.path)).sort((a, b) => compare(a.path, b.path));
  const limitsKey = JSON.stringify(limits);
  for (const file of sorted) {
    const cached = options.cache?.get(file.path);
    let parsed: ParsedFile;
    if (
      cached &&
      cached.content === file.content &&
      cached.size === file.size &&
      cached.limits === limitsKey &&
      cached.parsed.documents.length <= remaining
    ) {
      parsed = cached.parsed;
    } else {
      parsed = parseManifestFile(file.path, file.content, {
        limits,
        remainingObjects: remaining,
        ...(file.size === undefined ? {} : { size: file.size }),
      });
      // A parse cut short by this set's object budget is not the file's parse: never reuse it.
      if (options.cache && !parsed.errors.some((e) => e.message.includes("objects in the manifest set"))) {
        options.cache.set(file.path, {
          content: file.content,
          ...(file.size === undefined ? {} : { size: file.size }),
          limits: limitsKey,
          parsed,
        });
      }
    }
    remaining -= parsed.documents.length;
    // Loops, not push(...spread): a file may hold 100,000 documents, more than a call's arguments.
    for (const doc of parsed.documents) documents.push(doc);
    for (const skipped of parsed.skipped) set.skipped.push(skipped);
    for (const error of parsed.errors) set.errors.push(error);
    if (remaining <= 0 && parsed.errors.some((e) => e.message.includes("objects in the manifest set"))) break;
  }

  const clusterScoped = new Set(options.clusterScopedKinds ?? []);
  const namespaced = new Set<string>();
  for (const doc of documents) {
    const scope = crdScope(doc.object);
    if (scope?.clusterScoped) clusterScoped.add(scope.groupKind);
    else if (scope) namespaced.add(scope.groupKind);
  }

  const defaultNamespace = options.defaultNamespace;
  if (defaultNamespace !== undefined && !KEY_PART.test(defaultNamespace)) {
    throw new Error(`default namespace ${JSON.stringify(defaultNamespace)} is not a valid namespace name`);
  }
  for (const doc of documents) {
    const built = toManifestObject(
      doc,
      { clusterScoped, namespaced },
      defaultNamespace,
      options.secretDigestKey,
    );
    if ("message" in built) {
      set.errors.push(built);
      continue;
    }
    const existing = set.objects.get(built.key);
    if (existing) {
      set.errors.push({
        file: built.source.file,
        line: built.source.line,
        message: `duplicate object ${built.key}: defined in ${where(existing.source)} and in ${where(built.source)}`,
      });
      continue;
    }
    set.objects.set(built.key, built);
  }
  return set;
}

function toManifestObject(
  doc: ParsedDocument,
  scopes: { clusterScoped: ReadonlySet<string>; namespaced: ReadonlySet<string> },
  defaultNamespace: string | undefined,
  secretDigestKey: SecretDigestKey | undefined,
): ManifestObject | ManifestError {
  const { object, source } = doc;
  const fail = (message: string): ManifestError => ({
    file: source.file,
    line: source.line,
    ...(source.column === undefined ? {} : { column: source.column }),
    message,
  });
  const apiVersion = object["apiVersion"] as string;
  const kind = object["kind"] as string;
  const { group, version } = splitApiVersion(apiVersion);
  if (group.includes("/") || !KEY_PART.test(kind) || version === "") {
    return fail(`invalid apiVersion ${JSON.stringify(apiVersion)} or kind ${JSON.stringify(kind)}`);
  }
  const metadata = object["metadata"];
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    return fail(`${kind} has no metadata`);
  }
  const meta = metadata as Record<string, unknown>;
  let name = meta["name"];
  const generateName = meta["generateName"];
  if (name === undefined && typeof generateName === "string" && KEY_PART.test(generateName)) {
    // Hook Jobs of Helm and Argo CD: the server picks the name. Planned (and so reviewed) under
    // `<generateName>*`, a name no real object can have; such an object can only be created.
    name = `${generateName}*`;
  }
  if (typeof name !== "string" || !KEY_PART.test(name)) {
    return fail(
      typeof name === "boolean"
        ? `${kind} has metadata.name ${name}: an unquoted yes/no/on/off/y/n is a boolean to kubectl; quote it`
        : `${kind} has no valid metadata.name or metadata.generateName`,
    );
  }
  let namespace = "";
  let stored: KubeObject = stripServerFields(object);
  if (!isClusterScoped(group, kind, scopes.clusterScoped, scopes.namespaced)) {
    const declared = meta["namespace"];
    if (declared === undefined || declared === null || declared === "") {
      if (defaultNamespace === undefined) {
        // A custom kind may be cluster-scoped by a CRD that is not in the tree: say how to declare it.
        const hint = group.includes(".")
          ? `; if ${group}/${kind} is cluster-scoped, declare it with --cluster-scoped-kind or clusterScopedKinds`
          : "";
        return fail(
          `${kind} ${name} is namespaced but has no metadata.namespace (and no default namespace is set${hint})`,
        );
      }
      namespace = defaultNamespace;
      // The object is applied to the default namespace, so that is the content approved and digested.
      stored = { ...stored, metadata: { ...(stored["metadata"] as Record<string, unknown>), namespace } };
    } else if (typeof declared !== "string" || !KEY_PART.test(declared)) {
      return fail(
        typeof declared === "boolean"
          ? `${kind} ${name} has metadata.namespace ${declared}: an unquoted yes/no/on/off/y/n is a boolean to kubectl; quote it`
          : `${kind} ${name} has an invalid metadata.namespace`,
      );
    } else {
      namespace = declared;
    }
  }
  let digest: string;
  try {
    // `stored` is already stripped: this equals objectDigest(object, key) without stripping twice.
    digest = contentDigest(stored, secretDigestKey);
  } catch (error) {
    return fail(`${kind} ${name} holds a value that is not JSON (${(error as Error).message})`);
  }
  return {
    key: objectKey({ group, kind, namespace, name }),
    group,
    version,
    apiVersion,
    kind,
    namespace,
    name,
    object: stored,
    digest,
    source,
  };
}

function where(source: { file: string; line: number }): string {
  return `${source.file}:${source.line}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
