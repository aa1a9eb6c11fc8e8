import picomatch from "picomatch";
import type { Change } from "../model.js";
import type { RuleMatch } from "./types.js";

/** A rule's selectors, compiled once: a cheap test run before any CEL. */
export type ChangeSelector = (change: Change, file: string) => boolean;

interface KindPattern {
  /** undefined = any group. */
  group: string | undefined;
  /** undefined = any kind. */
  kind: string | undefined;
}

function parseKind(entry: string): KindPattern {
  const slash = entry.indexOf("/");
  if (slash < 0) return { group: undefined, kind: entry === "*" ? undefined : entry };
  const group = entry.slice(0, slash);
  const kind = entry.slice(slash + 1);
  return {
    group: group === "*" ? undefined : group === "core" ? "" : group,
    kind: kind === "*" ? undefined : kind,
  };
}

const GLOB_OPTIONS = { dot: true } as const;

function anyGlob(globs: string[] | undefined): ((value: string) => boolean) | undefined {
  if (globs === undefined || globs.length === 0) return undefined;
  return picomatch(globs, GLOB_OPTIONS);
}

/** The file a change is reported at (`after.source.file ?? before.source.file`); path globs also try the old file. */
export function changeFile(change: Change): string {
  return change.after?.source.file ?? change.before?.source.file ?? "";
}

/** Validates globs and kinds at compile time; returns messages for the bad ones. */
export function checkMatch(match: RuleMatch): string[] {
  const problems: string[] = [];
  for (const key of ["namespaces", "excludeNamespaces", "paths", "excludePaths"] as const) {
    for (const glob of match[key] ?? []) {
      try {
        picomatch.makeRe(glob, GLOB_OPTIONS);
      } catch (error) {
        problems.push(
          `${key}: bad glob "${glob}": ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  return problems;
}

/** Compiles a rule's `match` block. An empty block matches every change. */
export function compileMatch(match: RuleMatch): ChangeSelector {
  const kinds = match.kinds?.map(parseKind);
  const namespaces = anyGlob(match.namespaces);
  const excludeNamespaces = anyGlob(match.excludeNamespaces);
  const paths = anyGlob(match.paths);
  const excludePaths = anyGlob(match.excludePaths);
  const operations = match.operations === undefined ? undefined : new Set<string>(match.operations);
  return (change, file) => {
    if (operations !== undefined && !operations.has(change.op)) return false;
    if (kinds !== undefined && kinds.length > 0) {
      const hit = kinds.some(
        (k) =>
          (k.kind === undefined || k.kind === change.kind) &&
          (k.group === undefined || k.group === change.group),
      );
      if (!hit) return false;
    }
    if (namespaces !== undefined && (change.namespace === "" || !namespaces(change.namespace))) return false;
    if (excludeNamespaces !== undefined && change.namespace !== "" && excludeNamespaces(change.namespace))
      return false;
    if (paths === undefined && excludePaths === undefined) return true;
    // An object whose file moved is judged at both places (fail closed): moving a manifest out of
    // clusters/prod/ must not shed the prod floor, and excludePaths must cover both files.
    const moved = change.before?.source.file;
    const files = moved !== undefined && moved !== "" && moved !== file ? [file, moved] : [file];
    if (paths !== undefined && !files.some((f) => f !== "" && paths(f))) return false;
    if (excludePaths !== undefined && files.every((f) => f !== "" && excludePaths(f))) return false;
    return true;
  };
}

/** Whether a rule's kinds could match this kind at all (group is checked later by the selector). */
export function mayMatchKind(match: RuleMatch, kind: string): boolean {
  if (match.kinds === undefined || match.kinds.length === 0) return true;
  return match.kinds.map(parseKind).some((k) => k.kind === undefined || k.kind === kind);
}
