/**
 * Build inputs: files of a GitOps repository that feed a build (kustomize, Helm) rather than being
 * objects themselves. They are skipped and listed, never planned: a kustomize patch parsed as an
 * object would show as a duplicate or a half object, and a chart template is not what is applied.
 * Decided from the file tree alone, the same way whether or not a file has apiVersion/kind.
 */
import { parseDocument } from "yaml";
import type { SourceFile } from "./ports/manifest-source.js";

/** kustomize reads only these names as a directory's kustomization. */
const KUSTOMIZATION_NAMES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);
/** A kustomization larger than this is not read for references (they are a few hundred bytes). */
const MAX_KUSTOMIZATION_BYTES = 256 * 1024;

/** Path → why it is a build input, for every build input among `files`. */
export function findBuildInputs(files: readonly SourceFile[]): Map<string, string> {
  const inputs = new Map<string, string>();
  const charts = files
    .filter((f) => basename(f.path) === "Chart.yaml")
    .map((f) => dirname(f.path))
    .sort((a, b) => a.length - b.length);
  for (const file of files) {
    const chart = charts.find((dir) => dir === "" || file.path.startsWith(`${dir}/`));
    if (chart !== undefined) {
      inputs.set(
        file.path,
        `Helm chart file (chart ${chart === "" ? "." : chart}): a build input, not an object`,
      );
    }
  }
  for (const file of files) {
    if (!KUSTOMIZATION_NAMES.has(basename(file.path))) continue;
    if (!inputs.has(file.path))
      inputs.set(file.path, "kustomize configuration: a build input, not an object");
    for (const referenced of kustomizeReferences(file)) {
      if (!inputs.has(referenced))
        inputs.set(
          referenced,
          `referenced by ${file.path} as a patch or generator input: a build input, not an object`,
        );
    }
  }
  return inputs;
}

/** Files a kustomization uses as patches, generator inputs or configuration (not `resources`). */
function kustomizeReferences(file: SourceFile): string[] {
  if (file.content.length > MAX_KUSTOMIZATION_BYTES) return [];
  let value: unknown;
  try {
    const doc = parseDocument(file.content, { uniqueKeys: false });
    if (doc.errors.length > 0) return [];
    value = doc.toJS({ maxAliasCount: 10 });
  } catch {
    return []; // An unreadable kustomization references nothing; its own parse reports nothing either.
  }
  if (!isRecord(value)) return [];
  const paths: string[] = [];
  const add = (v: unknown) => {
    // A strategic-merge patch may be inline YAML rather than a path.
    if (typeof v === "string" && v !== "" && !v.includes("\n")) paths.push(v.slice(v.indexOf("=") + 1));
  };
  for (const patch of list(value["patches"])) add(isRecord(patch) ? patch["path"] : undefined);
  for (const patch of list(value["patchesJson6902"])) add(isRecord(patch) ? patch["path"] : undefined);
  for (const patch of list(value["patchesStrategicMerge"])) add(patch);
  for (const key of ["configurations", "crds", "transformers", "generators", "validators"])
    for (const entry of list(value[key])) add(entry);
  for (const replacement of list(value["replacements"]))
    add(isRecord(replacement) ? replacement["path"] : undefined);
  for (const key of ["configMapGenerator", "secretGenerator"])
    for (const generator of list(value[key])) {
      if (!isRecord(generator)) continue;
      for (const entry of [...list(generator["files"]), ...list(generator["envs"])]) add(entry);
      add(generator["env"]);
    }
  for (const chart of list(value["helmCharts"])) add(isRecord(chart) ? chart["valuesFile"] : undefined);
  add(isRecord(value["openapi"]) ? value["openapi"]["path"] : undefined);
  const base = dirname(file.path);
  return paths.flatMap((p) => {
    const resolved = resolve(base, p);
    return resolved === undefined ? [] : [resolved];
  });
}

/** `base` joined with a relative `path`, `.` and `..` applied; undefined when it leaves the tree. */
function resolve(base: string, path: string): string | undefined {
  if (path.startsWith("/") || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return undefined;
  const parts = base === "" ? [] : base.split("/");
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
