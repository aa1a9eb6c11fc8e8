import { Environment } from "@marcbachmann/cel-js";
import {
  added,
  capability,
  cleanPath,
  containerImages,
  containers,
  flatten,
  intOrPercent,
  networkPolicyOpenings,
  parseImage,
  podSpec,
  podSpecPath,
  runsAsNonRoot,
  getPath,
  podMetadataPath,
  rbacSubjects,
  volumes,
  withIndex,
} from "./helpers.js";
import { changedFields, fieldChanged, onlyChanged } from "./field-changes.js";
import { secretEnv, secretLikeName, secretLikeValue } from "./credentials.js";
import { rbacPowers } from "./rbac-powers.js";
import { apiServiceChanges, specChanges, webhookChanges } from "./api-surface.js";
import { crdChanges } from "./crd-changes.js";
import { podBaseline } from "./pod-baseline.js";
import {
  gitopsCascade,
  gitopsChartChanges,
  gitopsFloatingRefs,
  gitopsSources,
  helmCrdPolicyChanges,
} from "./gitops.js";

/** The variables every rule expression sees (those of ValidatingAdmissionPolicy, plus a few conveniences). */
export interface CelContext {
  /** The object after the change; null for a deletion. */
  object: Record<string, unknown> | null;
  /** The object before the change; null for a creation. */
  oldObject: Record<string, unknown> | null;
  operation: "create" | "update" | "delete";
  /** `object` if present, else `oldObject`: never null. */
  resource: Record<string, unknown>;
  /** The manifest file path of the object. */
  file: string;
  /** countersign's own namespace (self-protection rules). */
  countersignNamespace: string;
}

/** Documentation of the CEL helpers, for `policy explain` and docs/policy.md. */
export const CEL_HELPERS: readonly { signature: string; description: string }[] = [
  {
    signature: "podSpec(dyn): dyn",
    description: "the pod spec of a Pod, workload template or CronJob; null if none",
  },
  { signature: "podSpecPath(dyn): string", description: 'field path of the pod spec ("" if none)' },
  {
    signature: "containers(dyn): list<map>",
    description: "containers, initContainers and ephemeralContainers as {name, path, list, spec}",
  },
  { signature: "volumes(dyn): list<map>", description: "pod volumes as {name, path, list, spec}" },
  {
    signature: "changedFields(dyn, dyn): list<string>",
    description: "leaf field paths that differ (old, new)",
  },
  {
    signature: "fieldChanged(dyn, dyn, string): bool",
    description: "whether a dotted path differs (old, new, path)",
  },
  {
    signature: "rbacPowers(dyn): list<map>",
    description:
      "what a Role's rules effectively allow, as {path, power, what, named}: cluster-admin, escalate, bind, impersonate, api-write, csr-approve, nodes-write, workloads-create, exec, sa-token, secrets-read",
  },
  {
    signature: "webhookChanges(dyn, dyn): list<map>",
    description:
      "webhooks added, removed or changed in the fields that matter, API defaults filled in, as {path, what}",
  },
  {
    signature: "apiServiceChanges(dyn, dyn): list<map>",
    description:
      "APIService routing and trust changes (service, caBundle, insecureSkipTLSVerify, priorities)",
  },
  {
    signature: "crdChanges(dyn, dyn): list<map>",
    description:
      "CRD changes without descriptions, as {path, what, severity, effect}: severity critical (scope, versions, storage, conversion), high (schema tightened), medium",
  },
  {
    signature: "image(string): map",
    description: "an image reference as {registry, repository, tag, digest}",
  },
];

type Entries = Record<string, unknown>[];

/**
 * Memoises a per-object helper: a dozen rules ask for the containers of the same object, and
 * objects are treated as immutable (ManifestObject.object), so the answer cannot change.
 */
function memo<T>(fn: (object: unknown) => T): (object: unknown) => T {
  const cache = new WeakMap<object, T>();
  return (object) => {
    if (typeof object !== "object" || object === null) return fn(object);
    const hit = cache.get(object);
    if (hit !== undefined) return hit;
    const value = fn(object);
    cache.set(object, value);
    return value;
  };
}

/** Helper results as the plain records CEL maps are built from. */
function plain(items: readonly object[]): Entries {
  return items.map((i) => ({ ...i }) as Record<string, unknown>);
}

function asList(entries: ReturnType<typeof containers>): Entries {
  return entries.map((e) => ({ name: e.name, path: e.path, list: e.list, spec: e.spec }));
}

/** Built once per compiled policy; parsing an expression with it type-checks names and calls. */
export function createCelEnvironment(): Environment {
  const containerList = memo((o) => asList(containers(o)));
  const volumeList = memo((o) => asList(volumes(o)));
  const images = memo((o) => containerImages(o));
  // Lookups by key, so that rules comparing the containers of two objects stay linear.
  const containerByPath = memo((o) => new Map(containerList(o).map((c) => [c["path"] as string, c])));
  const secrets = memo((o) => secretEnv(o).map((e) => ({ ...e })));
  const specOf = memo((o) => podSpec(o));
  const powersOf = memo((o) => plain(rbacPowers(o)));
  const baselineOf = memo((o) => plain(podBaseline(o)));
  const specPathOf = memo((o) => podSpecPath(o) ?? "");
  // Image strings repeat across rules and objects; bounded so hostile input cannot grow it without limit.
  const imageCache = new Map<string, Record<string, string>>();
  const imageOf = (ref: string): Record<string, string> => {
    let parsed = imageCache.get(ref);
    if (parsed === undefined) {
      parsed = { ...parseImage(ref) };
      if (imageCache.size < 10_000) imageCache.set(ref, parsed);
    }
    return parsed;
  };
  const registries = memo(
    (o) => new Map(Object.values(images(o)).map((ref) => [imageOf(ref)["registry"] ?? "", true])),
  );
  const pinned = memo(
    (o) =>
      new Map(
        Object.values(images(o))
          .map((ref) => imageOf(ref))
          .filter((i) => i["digest"] !== "")
          .map((i) => [`${i["registry"]}/${i["repository"]}`, true]),
      ),
  );
  return new Environment({
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 2000,
      maxDepth: 64,
      maxListElements: 500,
      maxMapEntries: 200,
      maxCallArguments: 8,
    },
  })
    .registerVariable("object", "dyn")
    .registerVariable("oldObject", "dyn")
    .registerVariable("operation", "string")
    .registerVariable("resource", "dyn")
    .registerVariable("file", "string")
    .registerVariable("countersignNamespace", "string")
    .registerFunction("podSpec(dyn): dyn", (o: unknown) => specOf(o))
    .registerFunction("podSpecPath(dyn): string", (o: unknown) => specPathOf(o))
    .registerFunction("containers(dyn): list<map<string, dyn>>", (o: unknown) => containerList(o))
    .registerFunction("volumes(dyn): list<map<string, dyn>>", (o: unknown) => volumeList(o))
    .registerFunction("changedFields(dyn, dyn): list<string>", (a: unknown, b: unknown) =>
      changedFields(a, b),
    )
    .registerFunction("fieldChanged(dyn, dyn, string): bool", (a: unknown, b: unknown, p: string) =>
      fieldChanged(a, b, p),
    )
    .registerFunction("image(string): map<string, string>", (s: string) => imageOf(s))
    .registerFunction("containerImages(dyn): map<string, string>", (o: unknown) => images(o))
    .registerFunction("containersByPath(dyn): map<string, map<string, dyn>>", (o: unknown) =>
      containerByPath(o),
    )
    .registerFunction("imageRegistries(dyn): map<string, bool>", (o: unknown) => registries(o))
    .registerFunction("pinnedRepositories(dyn): map<string, bool>", (o: unknown) => pinned(o))
    .registerFunction("withIndex(dyn): list<map<string, dyn>>", (l: unknown) => withIndex(l))
    .registerFunction("added(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) => added(a, b))
    .registerFunction("runsAsNonRoot(dyn): bool", (o: unknown) => runsAsNonRoot(o))
    .registerFunction("intOrPercent(dyn): double", (v: unknown) => intOrPercent(v))
    .registerFunction("networkPolicyOpenings(dyn, bool): list<string>", (o: unknown, all: boolean) =>
      networkPolicyOpenings(o, all),
    )
    .registerFunction("rbacSubjects(dyn): list<dyn>", (l: unknown) => rbacSubjects(l))
    .registerFunction("capability(string): string", (s: string) => capability(s))
    .registerFunction("cleanPath(string): string", (s: string) => cleanPath(s))
    .registerFunction("flatten(list<dyn>): list<dyn>", (l: unknown) => flatten(l))
    .registerFunction("onlyChanged(dyn, dyn, list<string>): bool", (a: unknown, b: unknown, p: string[]) =>
      onlyChanged(a, b, p),
    )
    .registerFunction("secretEnv(dyn): list<map<string, string>>", (o: unknown) => secrets(o))
    .registerFunction("secretLikeName(string): bool", (s: string) => secretLikeName(s))
    .registerFunction("secretLikeValue(string): bool", (s: string) => secretLikeValue(s))
    .registerFunction("rbacPowers(dyn): list<map<string, dyn>>", (o: unknown) => powersOf(o))
    .registerFunction("webhookChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(webhookChanges(a, b)),
    )
    .registerFunction("specChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(specChanges(a, b)),
    )
    .registerFunction("apiServiceChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(apiServiceChanges(a, b)),
    )
    .registerFunction("crdChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(crdChanges(a, b)),
    )
    .registerFunction("gitopsSources(dyn): list<map<string, dyn>>", (o: unknown) => plain(gitopsSources(o)))
    .registerFunction("gitopsFloatingRefs(dyn): list<map<string, dyn>>", (o: unknown) =>
      plain(gitopsFloatingRefs(o)),
    )
    .registerFunction("gitopsChartChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(gitopsChartChanges(a, b)),
    )
    .registerFunction("gitopsCascade(dyn): list<map<string, dyn>>", (o: unknown) => plain(gitopsCascade(o)))
    .registerFunction("helmCrdPolicyChanges(dyn, dyn): list<map<string, dyn>>", (a: unknown, b: unknown) =>
      plain(helmCrdPolicyChanges(a, b)),
    )
    .registerFunction("podBaseline(dyn): list<map<string, dyn>>", (o: unknown) => baselineOf(o))
    .registerFunction("podMetadataPath(dyn): string", (o: unknown) => podMetadataPath(o))
    .registerFunction("getPath(dyn, string): dyn", (o: unknown, p: string) => getPath(o, p) ?? null);
}
