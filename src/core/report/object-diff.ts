/**
 * The masked view of one change for people: the field deltas of an update with before/after
 * taken from the MASKED objects, and the masked YAML of a created or deleted object.
 */
import { stringify } from "yaml";
import type { Masker } from "../mask/types.js";
import type { Change, FieldDelta, KubeObject } from "../model.js";
import { parseFieldPath, valueAt } from "./value-path.js";

/** Longest rendering of one value in a diff line; the rest is cut with an ellipsis. */
export const MAX_VALUE_CHARS = 400;
/** Longest YAML shown for a created or deleted object, in lines, characters per line and in total. */
export const MAX_YAML_LINES = 200;
const MAX_YAML_LINE_CHARS = 1000;
const MAX_YAML_CHARS = 20_000;
const MAX_PATH_CHARS = 300;

/** A placeholder for a value we could not place in the masked object: fail closed. */
function hideWhole(value: unknown, masker: Masker): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `<masked fp:${masker.fingerprint(text)}>`;
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/**
 * The delta value as masked in context: looked up at the delta's path in the masked object (so a
 * Secret's data, a sensitive env value or an annotation is masked as maskObject masks it). When the
 * path cannot be resolved to the same raw value, the value is hidden whole.
 */
function maskedSide(
  value: unknown,
  path: string,
  raw: KubeObject | undefined,
  masked: KubeObject | undefined,
  masker: Masker,
): unknown {
  const segments = parseFieldPath(path);
  if (segments !== undefined && raw !== undefined && masked !== undefined) {
    const original = valueAt(raw, segments);
    const hidden = valueAt(masked, segments);
    if (original.found && hidden.found && sameJson(original.value, value)) return hidden.value;
  }
  return hideWhole(value, masker);
}

/** The deltas of an update with masked before/after values and masked paths. */
export function maskedDeltas(change: Change, masker: Masker): FieldDelta[] {
  const rawBefore = change.before?.object;
  const rawAfter = change.after?.object;
  const maskedBefore = rawBefore === undefined ? undefined : masker.maskObject(rawBefore);
  const maskedAfter = rawAfter === undefined ? undefined : masker.maskObject(rawAfter);
  return change.deltas.map((delta) => {
    const out: FieldDelta = { path: masker.maskText(delta.path), op: delta.op };
    if (delta.op !== "add")
      out.before = maskedSide(delta.before, delta.path, rawBefore, maskedBefore, masker);
    if (delta.op !== "remove") out.after = maskedSide(delta.after, delta.path, rawAfter, maskedAfter, masker);
    return out;
  });
}

/** One value on one diff line: JSON (so strings show quotes and newlines stay escaped), cut when long. */
export function renderValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** The lines of a compact `diff` block for masked deltas: `- path: before` / `+ path: after`. */
export function diffLines(deltas: readonly FieldDelta[]): string[] {
  const lines: string[] = [];
  for (const d of deltas) {
    const path = d.path.length > MAX_PATH_CHARS ? `${d.path.slice(0, MAX_PATH_CHARS)}…` : d.path;
    if (d.op !== "add") lines.push(`- ${path}: ${renderValue(d.before)}`);
    if (d.op !== "remove") lines.push(`+ ${path}: ${renderValue(d.after)}`);
  }
  return lines;
}

/** Masked YAML of the object a create adds or a delete removes, cut after MAX_YAML_LINES lines. */
export function maskedYaml(change: Change, masker: Masker): string {
  const object = change.op === "delete" ? change.before?.object : change.after?.object;
  if (object === undefined) return "# (object not available)";
  let yaml: string;
  try {
    yaml = stringify(masker.maskObject(object), { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd();
  } catch {
    return "# (object could not be rendered)";
  }
  const lines = yaml.split("\n");
  const shown: string[] = [];
  let chars = 0;
  for (const line of lines) {
    if (shown.length >= MAX_YAML_LINES || chars >= MAX_YAML_CHARS) break;
    const cut = line.length > MAX_YAML_LINE_CHARS ? `${line.slice(0, MAX_YAML_LINE_CHARS)}…` : line;
    shown.push(cut);
    chars += cut.length + 1;
  }
  if (shown.length < lines.length) shown.push(`# … ${lines.length - shown.length} more lines`);
  return shown.join("\n");
}
