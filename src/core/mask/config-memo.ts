/**
 * Bounded caches for the config, YAML and shell detectors: a name or value found in a text is looked
 * up by its range (`text[start, end)`) without slicing it, so a text that repeats the same few keys
 * (hostile or real) costs a hash and a compare per candidate instead of a string and a name split.
 */

import { NAME_WORDS, nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { judge } from "./value-judge.js";
import { masksInPlace, valueFlags } from "./value-in-place.js";

/** Ranges longer than this are computed each time (rare, and their hash would cost as much). */
const MAX_KEY = 256;

/** A direct-mapped cache of a pure function of a string: a slot is overwritten, so it never grows. */
export class RangeMemo<V> {
  private readonly keys: (string | undefined)[];
  private readonly values: V[];
  private readonly mask: number;
  /** The last key found: hostile and real text often ask for the same one again (one compare, no hash). */
  private lastKey = "";
  private lastValue: V | undefined;

  constructor(
    private readonly compute: (key: string) => V,
    slots = 1024,
  ) {
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.values = new Array<V>(slots);
    this.mask = slots - 1;
  }

  /** `compute(text.slice(start, end))`, remembered. */
  get(text: string, start: number, end: number): V {
    const length = end - start;
    if (length > MAX_KEY || length < 0) return this.compute(text.slice(start, end));
    const last = this.lastKey;
    if (last.length === length && length > 0 && sameAt(last, text, start)) return this.lastValue as V;
    let hash = length;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    const slot = (hash ^ (hash >>> 15)) & this.mask;
    const key = this.keys[slot];
    if (key !== undefined && key.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (key.charCodeAt(i) !== text.charCodeAt(start + i)) {
          same = false;
          break;
        }
      }
      if (same) {
        this.lastKey = key;
        this.lastValue = this.values[slot];
        return this.values[slot] as V;
      }
    }
    const fresh = text.slice(start, end);
    const value = this.compute(fresh);
    this.keys[slot] = fresh;
    this.values[slot] = value;
    this.lastKey = fresh;
    this.lastValue = value;
    return value;
  }
}

function sameAt(key: string, text: string, start: number): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/** `A-Z a-z 0-9 _ - .`: the characters of a directive, env or YAML key name (one array read per character). */
export const NAME_CHAR: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1;
  for (let c = 97; c <= 122; c++) table[c] = 1;
  table[95] = 1;
  table[45] = 1;
  table[46] = 1;
  return table;
})();

/** What every sensitive name holds (see sensitive-names.ts): text without any near a candidate needs no name check. */
export { NAME_WORDS };

/** nameSensitivity by range. */
export const SENSITIVITY = new RangeMemo(nameSensitivity);

/** Whether judge masks a value under a name of each sensitivity (its verdict is pure in the value). */
const MASKED = {
  password: new RangeMemo((v) => judge("", v, "password") === "mask"),
  secret: new RangeMemo((v) => judge("", v, "secret") === "mask"),
  weak: new RangeMemo((v) => judge("", v, "weak") === "mask"),
};

/**
 * Whether judge masks `text[start, end)` under a name of `sensitivity`: decided in place for a
 * plain value (no slice: a text of distinct values would slice and judge each), else remembered.
 */
export function masksValueAt(
  text: string,
  start: number,
  end: number,
  sensitivity: Exclude<Sensitivity, "none">,
): boolean {
  return (
    masksInPlace(text, start, end, sensitivity, valueFlags(text, start, end)) ??
    MASKED[sensitivity].get(text, start, end)
  );
}
