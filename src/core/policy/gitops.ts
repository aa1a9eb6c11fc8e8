/**
 * GitOps indirection: Argo CD and Flux objects that pull in content nobody reviews in this pull
 * request. What matters is where the content comes from, whether the reference floats (a branch,
 * a semver range, `latest`), and what a chart is fed.
 */

type Obj = Record<string, unknown>;

export interface GitopsHit {
  path: string;
  what: string;
}

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function at(object: unknown, ...keys: (string | number)[]): unknown {
  let value: unknown = object;
  for (const key of keys) {
    if (typeof key === "number") value = Array.isArray(value) ? value[key] : undefined;
    else value = isObj(value) ? value[key] : undefined;
  }
  return value;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Argo CD sources of an Application (`spec`) or of an ApplicationSet's template (`spec.template.spec`), with their paths. */
function argoSources(object: unknown): { path: string; source: Obj }[] {
  const kind = at(object, "kind");
  const base = kind === "ApplicationSet" ? "spec.template.spec" : "spec";
  const spec = kind === "ApplicationSet" ? at(object, "spec", "template", "spec") : at(object, "spec");
  const out: { path: string; source: Obj }[] = [];
  const single = at(spec, "source");
  if (isObj(single)) out.push({ path: `${base}.source`, source: single });
  const many = at(spec, "sources");
  if (Array.isArray(many))
    many.forEach((s, i) => {
      if (isObj(s)) out.push({ path: `${base}.sources[${i}]`, source: s });
    });
  return out;
}

const FLUX_SOURCES = new Set(["GitRepository", "OCIRepository", "HelmRepository", "Bucket"]);

function isArgo(object: unknown): boolean {
  return String(at(object, "apiVersion") ?? "").startsWith("argoproj.io/");
}

function isFlux(object: unknown): boolean {
  return /\.toolkit\.fluxcd\.io\//.test(String(at(object, "apiVersion") ?? ""));
}

/** Where the object pulls content from: `{path, what: url}`. */
export function gitopsSources(object: unknown): GitopsHit[] {
  if (isArgo(object)) {
    const hits = argoSources(object).flatMap(({ path, source }) => {
      const url = text(source["repoURL"]);
      return url === undefined ? [] : [{ path: `${path}.repoURL`, what: url }];
    });
    const generators = at(object, "spec", "generators");
    if (Array.isArray(generators))
      generators.forEach((g, i) => {
        const url = text(at(g, "git", "repoURL"));
        if (url !== undefined) hits.push({ path: `spec.generators[${i}].git.repoURL`, what: url });
      });
    return hits;
  }
  if (isFlux(object) && FLUX_SOURCES.has(String(at(object, "kind")))) {
    const field = at(object, "kind") === "Bucket" ? "endpoint" : "url";
    const url = text(at(object, "spec", field));
    return url === undefined ? [] : [{ path: `spec.${field}`, what: url }];
  }
  return [];
}

const RANGE = /[*xX^~<>|]|\|\||^\s*$/;
const PINNED_TAG = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** A version constraint or revision that can move without a change in this repository. */
function floats(revision: string): boolean {
  return revision === "HEAD" || revision === "latest" || RANGE.test(revision);
}

/**
 * References that float: `{path, what}`. Argo CD `targetRevision` that is HEAD, empty, a branch or
 * a range; Flux `ref.branch` without a commit, `ref.semver`, an OCI tag `latest`, a HelmRelease
 * chart version that is a range or missing (newest).
 */
export function gitopsFloatingRefs(object: unknown): GitopsHit[] {
  const out: GitopsHit[] = [];
  if (isArgo(object)) {
    for (const { path, source } of argoSources(object)) {
      if (
        source["ref"] !== undefined &&
        source["repoURL"] !== undefined &&
        source["path"] === undefined &&
        source["chart"] === undefined
      )
        continue; // a values-only `ref:` source still floats if its revision does; checked below
      const revision = typeof source["targetRevision"] === "string" ? source["targetRevision"] : "HEAD";
      const chart = source["chart"] !== undefined;
      const pinned = chart ? !floats(revision) : PINNED_TAG.test(revision) || COMMIT.test(revision);
      if (!pinned)
        out.push({ path: `${path}.targetRevision`, what: `revision ${revision === "" ? "HEAD" : revision}` });
    }
    return out;
  }
  if (!isFlux(object)) return out;
  const kind = at(object, "kind");
  if (kind === "GitRepository") {
    const ref = at(object, "spec", "ref");
    if (!isObj(ref)) out.push({ path: "spec.ref", what: "the default branch" });
    else if (text(ref["commit"]) === undefined && text(ref["tag"]) === undefined) {
      if (text(ref["semver"]) !== undefined)
        out.push({ path: "spec.ref.semver", what: `semver ${String(ref["semver"])}` });
      else if (text(ref["branch"]) !== undefined)
        out.push({ path: "spec.ref.branch", what: `branch ${String(ref["branch"])}` });
      else if (text(ref["name"]) !== undefined && !String(ref["name"]).startsWith("refs/tags/"))
        out.push({ path: "spec.ref.name", what: `ref ${String(ref["name"])}` });
    }
  } else if (kind === "OCIRepository") {
    const ref = at(object, "spec", "ref");
    if (
      !isObj(ref) ||
      (text(ref["digest"]) === undefined &&
        text(ref["semver"]) === undefined &&
        (text(ref["tag"]) ?? "latest") === "latest")
    )
      out.push({ path: "spec.ref", what: "tag latest" });
    else if (isObj(ref) && text(ref["digest"]) === undefined && text(ref["semver"]) !== undefined)
      out.push({ path: "spec.ref.semver", what: `semver ${String(ref["semver"])}` });
  } else if (kind === "HelmRelease" || kind === "HelmChart") {
    const chartSpec = kind === "HelmRelease" ? at(object, "spec", "chart", "spec") : at(object, "spec");
    if (isObj(chartSpec)) {
      const version = typeof chartSpec["version"] === "string" ? chartSpec["version"] : "*";
      const path = kind === "HelmRelease" ? "spec.chart.spec.version" : "spec.version";
      if (floats(version)) out.push({ path, what: `chart version ${version}` });
    }
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** What a chart is and is fed: HelmRelease chart and values, Argo CD chart, revision and Helm parameters. */
export function gitopsChartChanges(before: unknown, after: unknown): GitopsHit[] {
  const out: GitopsHit[] = [];
  const compare = (path: string, a: unknown, b: unknown, what: string) => {
    if (!same(a, b)) out.push({ path, what });
  };
  if (at(after, "kind") === "HelmRelease" && isFlux(after)) {
    compare(
      "spec.chart",
      at(before, "spec", "chart"),
      at(after, "spec", "chart"),
      "the chart or its version",
    );
    compare(
      "spec.chartRef",
      at(before, "spec", "chartRef"),
      at(after, "spec", "chartRef"),
      "the chart reference",
    );
    compare("spec.values", at(before, "spec", "values"), at(after, "spec", "values"), "the values");
    compare(
      "spec.valuesFrom",
      at(before, "spec", "valuesFrom"),
      at(after, "spec", "valuesFrom"),
      "where values come from",
    );
  } else if (isArgo(after)) {
    const old = new Map(argoSources(before).map((s) => [s.path, s.source]));
    for (const { path, source } of argoSources(after)) {
      const previous = old.get(path) ?? {};
      if (source["chart"] === undefined && previous["chart"] === undefined && source["helm"] === undefined)
        continue;
      compare(`${path}.chart`, previous["chart"], source["chart"], "the chart");
      compare(
        `${path}.targetRevision`,
        previous["targetRevision"],
        source["targetRevision"],
        "the chart version",
      );
      compare(`${path}.helm`, previous["helm"], source["helm"], "the Helm values or parameters");
    }
  }
  return out;
}

/**
 * Deleting these deletes what they manage: an Argo CD Application with the resources finalizer,
 * an ApplicationSet whose generated Applications carry it (unless it preserves resources), a Flux
 * Kustomization with `prune: true`, a Flux HelmRelease (uninstalled).
 */
export function gitopsCascade(object: unknown): GitopsHit[] {
  const kind = at(object, "kind");
  const finalizers = (o: unknown) =>
    Array.isArray(o) ? o.filter((f): f is string => typeof f === "string") : [];
  const cascades = (list: string[]) =>
    list.some((f) => f.startsWith("resources-finalizer.argocd.argoproj.io"));
  if (isArgo(object) && kind === "Application" && cascades(finalizers(at(object, "metadata", "finalizers"))))
    return [
      { path: "metadata.finalizers", what: "the resources finalizer deletes every resource it manages" },
    ];
  if (
    isArgo(object) &&
    kind === "ApplicationSet" &&
    at(object, "spec", "syncPolicy", "preserveResourcesOnDeletion") !== true &&
    cascades(finalizers(at(object, "spec", "template", "metadata", "finalizers")))
  )
    return [
      {
        path: "spec.template.metadata.finalizers",
        what: "its Applications and every resource they manage are deleted",
      },
    ];
  if (isFlux(object) && kind === "Kustomization" && at(object, "spec", "prune") === true)
    return [{ path: "spec.prune", what: "prune: true deletes every object it applied" }];
  if (isFlux(object) && kind === "HelmRelease")
    return [{ path: "spec", what: "the release is uninstalled with everything it installed" }];
  return [];
}

/** HelmRelease CRD handling (`install.crds`, `upgrade.crds`): whether CRDs are created, replaced or left alone. */
export function helmCrdPolicyChanges(before: unknown, after: unknown): GitopsHit[] {
  const out: GitopsHit[] = [];
  for (const phase of ["install", "upgrade"]) {
    const a = at(before, "spec", phase, "crds");
    const b = at(after, "spec", phase, "crds");
    if (!same(a, b) && (before !== null || b !== undefined))
      out.push({
        path: `spec.${phase}.crds`,
        what: `${phase}.crds ${String(a ?? "default")} → ${String(b ?? "default")}`,
      });
  }
  return out;
}
