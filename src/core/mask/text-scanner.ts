/**
 * maskText: runs every detector over the text (each linear), merges overlapping spans and replaces
 * each with a placeholder carrying the keyed fingerprint of what it hides.
 */
import { scanDirectives, scanMarkupSecrets, scanQuotedPairs } from "./config-patterns.js";
import { scanJwts, scanPrivateKeys } from "./credential-patterns.js";
import { scanBearerTokens, scanSensitivePairs, scanUrlPasswords } from "./context-patterns.js";
import { scanRandomTokens, scanRejectedValues } from "./entropy-patterns.js";
import { scanInfixTokens, scanPasswordHashes, scanQuerySecrets, scanWebhookUrls } from "./shape-patterns.js";
import { scanShellSecrets } from "./shell-patterns.js";
import { scanBootstrapTokens } from "./kube-patterns.js";
import { HEX, has } from "./char-table.js";
import { type Scanner, type Span, SpanSink } from "./span.js";
import { scanPrefixedTokens } from "./token-scanner.js";
import { scanBlockScalars, scanEnvEntries } from "./yaml-patterns.js";

/** The detectors by shape and by context; the random-token fallback runs after them (see findSecrets). */
export const SCANNERS: readonly Scanner[] = [
  scanPrivateKeys,
  scanPrefixedTokens,
  scanJwts,
  scanUrlPasswords,
  scanWebhookUrls,
  scanQuerySecrets,
  scanInfixTokens,
  scanPasswordHashes,
  scanBearerTokens,
  scanSensitivePairs,
  scanEnvEntries,
  scanBlockScalars,
  scanDirectives,
  scanMarkupSecrets,
  scanQuotedPairs,
  scanShellSecrets,
  scanRejectedValues,
  scanBootstrapTokens,
];

export interface ScanOptions {
  /** Run the random-token fallback (off for fields that name an identifier: `clientId`, `revision`). */
  fallback?: boolean;
}

/** The placeholder a masked value becomes: `<masked fp:1a2b3c4d5e6f>`. */
export function placeholder(fp: string): string {
  return `<masked fp:${fp}>`;
}

/** What the random-token fallback calls on decoded base64: the secrets the decoded text holds. */
function scanDecoded(text: string, depth: number): Span[] {
  return findSecrets(text, depth).map((region) => ({ ...region, kind: "encoded-secret" }));
}

/** A region of text to mask, `[start, end)`. */
export interface Region {
  start: number;
  end: number;
}

/** From this length on, a text is copied into one flat string before it is scanned (below). */
const FLATTEN_FROM = 65_536;
/** A character above 255: the text cannot be copied as latin1. */
const WIDE = /[^\0-\xff]/;

/**
 * The text as one flat sequential string. Texts arrive as slices of bigger strings or trees of
 * concatenations; every character read of 20 detectors then goes through an indirection, and
 * call sites that meet several representations slow down for good. One copy costs about a
 * tenth of a pass and saves 15–25 % of the scan on long texts.
 */
function flatten(text: string): string {
  if (text.length < FLATTEN_FROM) return text;
  return WIDE.test(text)
    ? Buffer.from(text, "utf16le").toString("utf16le")
    : Buffer.from(text, "latin1").toString("latin1");
}

/**
 * Every detector's spans, merged: a flat list `[start0, end0, start1, end1, …]` in order, spans
 * that overlap joined. Each detector adds its spans in order of start (almost always): the
 * detectors' runs are merged by walking them side by side; a run out of order is sorted first.
 */
function detectAll(text: string, depth: number, options: ScanOptions): Flat {
  const sink = new SpanSink();
  const runs: number[] = [0];
  for (const scan of SCANNERS) {
    scan(text, sink);
    if (sink.count > (runs[runs.length - 1] as number)) runs.push(sink.count);
  }
  if (options.fallback !== false) {
    scanRandomTokens(text, depth, scanDecoded, sink);
    if (sink.count > (runs[runs.length - 1] as number)) runs.push(sink.count);
  }
  const flat = mergeRuns(sink, runs);
  return flat.length > 0 && text.includes("<masked") ? outsidePlaceholders(text, flat) : flat;
}

/** Regions as `[start0, end0, start1, end1, …]`, in order, disjoint. */
type Flat = ArrayLike<number>;

/** The union of the sink's spans; `runs` are the offsets where each detector's spans begin and end. */
function mergeRuns(sink: SpanSink, runs: number[]): Flat {
  const { starts, ends } = sink;
  if (sink.count === 0) return [];
  for (let r = 0; r + 1 < runs.length; r++) sortRun(sink, runs[r] as number, runs[r + 1] as number);
  const flat = new Int32Array(2 * sink.count);
  let n = 0;
  // Cursors into the runs not yet exhausted: few (most detectors find nothing in most texts).
  const at: number[] = [];
  const stop: number[] = [];
  for (let r = 0; r + 1 < runs.length; r++) {
    at.push(runs[r] as number);
    stop.push(runs[r + 1] as number);
  }
  let lastEnd = -1;
  while (at.length > 0) {
    let best = 0;
    let bestStart = starts[at[0] as number] as number;
    for (let r = 1; r < at.length; r++) {
      const start = starts[at[r] as number] as number;
      if (start < bestStart) {
        best = r;
        bestStart = start;
      }
    }
    // Take every span of the best run that starts before the next run's first.
    let k = at[best] as number;
    const runStop = stop[best] as number;
    let bound = Infinity;
    for (let r = 0; r < at.length; r++)
      if (r !== best) bound = Math.min(bound, starts[at[r] as number] as number);
    do {
      const start = starts[k] as number;
      const end = ends[k] as number;
      if (start < lastEnd) {
        if (end > lastEnd) flat[n - 1] = lastEnd = end;
      } else {
        flat[n++] = start;
        flat[n++] = lastEnd = end;
      }
      k++;
    } while (k < runStop && (starts[k] as number) <= bound);
    if (k < runStop) {
      at[best] = k;
    } else {
      at.splice(best, 1);
      stop.splice(best, 1);
    }
  }
  return flat.subarray(0, n);
}

/** Spans in a run of a text at most this long are sorted by packing each into one number (below). */
const PACKED_LIMIT = 2 ** 24;

/** Sorts `[from, to)` of the sink by start, if it is not in order already. */
function sortRun(sink: SpanSink, from: number, to: number): void {
  const { starts, ends } = sink;
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) sorted = (starts[i - 1] as number) <= (starts[i] as number);
  if (sorted) return;
  const length = to - from;
  const keys = new Float64Array(length);
  let packable = true;
  for (let i = 0; i < length && packable; i++) {
    const start = starts[from + i] as number;
    const size = (ends[from + i] as number) - start;
    packable = start < PACKED_LIMIT && size < PACKED_LIMIT;
    // start · 2²⁴ + length: exact below 2⁴⁸, sorted natively.
    keys[i] = start * PACKED_LIMIT + size;
  }
  if (packable) {
    keys.sort();
    for (let i = 0; i < length; i++) {
      const key = keys[i] as number;
      const start = Math.floor(key / PACKED_LIMIT);
      starts[from + i] = start;
      ends[from + i] = start + (key - start * PACKED_LIMIT);
    }
    return;
  }
  const order = Array.from({ length }, (_, i) => from + i).sort(
    (x, y) => (starts[x] as number) - (starts[y] as number),
  );
  const s = order.map((k) => starts[k] as number);
  const e = order.map((k) => ends[k] as number);
  for (let i = 0; i < length; i++) {
    starts[from + i] = s[i] as number;
    ends[from + i] = e[i] as number;
  }
}

const FINGERPRINT_PLACEHOLDER_LENGTH = placeholder("0".repeat(12)).length;

/** The end of the placeholder starting at `at` (`<masked>` or `<masked fp:` + 12 hex + `>`), or -1. */
function placeholderEnd(text: string, at: number): number {
  if (text.startsWith(PLAIN_PLACEHOLDER, at)) return at + PLAIN_PLACEHOLDER.length;
  if (!text.startsWith("<masked fp:", at)) return -1;
  const end = at + FINGERPRINT_PLACEHOLDER_LENGTH;
  if (text.charCodeAt(end - 1) !== 62) return -1;
  for (let i = at + 11; i < end - 1; i++) if (!has(text.charCodeAt(i), HEX)) return -1;
  return end;
}

/**
 * Drops regions lying wholly inside a placeholder already in the text, so that masking masked
 * text changes nothing (`mysql -p<masked fp:…>` would otherwise mask `<masked`). A region
 * reaching outside a placeholder stays whole: it may hold a secret.
 */
function outsidePlaceholders(text: string, flat: Flat): Flat {
  const kept: number[] = [];
  let region = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf("<masked", from);
    if (at < 0 || region >= flat.length) break;
    const end = placeholderEnd(text, at);
    from = at + 7;
    if (end < 0) continue;
    while (region < flat.length && (flat[region] as number) < at) {
      kept.push(flat[region] as number, flat[region + 1] as number);
      region += 2;
    }
    while (region < flat.length && (flat[region] as number) < end && (flat[region + 1] as number) <= end)
      region += 2;
    from = end;
  }
  for (; region < flat.length; region += 2) kept.push(flat[region] as number, flat[region + 1] as number);
  return kept;
}

/** All spans of all detectors, sorted and merged where they overlap. */
export function findSecrets(text: string, depth = 0, options: ScanOptions = {}): Region[] {
  const flat = detectAll(flatten(text), depth, options);
  const regions: Region[] = [];
  for (let i = 0; i < flat.length; i += 2)
    regions.push({ start: flat[i] as number, end: flat[i + 1] as number });
  return regions;
}

/**
 * Distinct secrets one text shows with a fingerprint. Each fingerprint is an HMAC (~2 µs): a
 * hostile text of a million distinct random tokens would otherwise be hashed for seconds. Past
 * the budget a secret is still masked, as `<masked>`: nobody compares thousands of fingerprints
 * in one text, and the text stays as fast to mask as any other.
 */
export const FINGERPRINTS_PER_TEXT = 4096;

/** What a secret becomes once the text's fingerprint budget is spent. */
export const PLAIN_PLACEHOLDER = "<masked>";

/** FNV-1a over `text[start, end)`: lets a secret past the fingerprint budget skip the string lookup. */
function rangeHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // 30 bits: a small integer to V8, so a Map keyed by it allocates nothing per lookup.
  return h & 0x3fffffff;
}

/** A secret of this text and what it is shown as. */
interface Shown {
  secret: string;
  shown: string;
}

/** Whether `text[start, start + secret.length)` is `secret`. */
function sameAt(text: string, start: number, secret: string): boolean {
  for (let k = 0; k < secret.length; k++)
    if (text.charCodeAt(start + k) !== secret.charCodeAt(k)) return false;
  return true;
}

/** From this many regions on, the masked text is written into a buffer rather than concatenated. */
const BUFFER_FROM = 1024;

/** Replaces every secret in `text` with its placeholder. */
export function maskTextWith(
  text: string,
  fingerprint: (value: string) => string,
  options: ScanOptions = {},
): string {
  const whole = text;
  text = flatten(text);
  const flat = detectAll(text, 0, options);
  if (flat.length === 0) return whole;
  // Placeholders of this text by the range hash of their secret: a secret repeated in the text
  // is hashed once, and found again without slicing it or hashing it as a string.
  const known = new Map<number, Shown[]>();
  const shown: string[] = [];
  let fingerprints = 0;
  // The last two secrets placed: dense text repeats one or alternates two (`Basic <a>:<b>`).
  let last: Shown | undefined;
  let before: Shown | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    const start = flat[i] as number;
    const end = flat[i + 1] as number;
    if (last !== undefined && last.secret.length === end - start && sameAt(text, start, last.secret)) {
      shown.push(last.shown);
      continue;
    }
    if (before !== undefined && before.secret.length === end - start && sameAt(text, start, before.secret)) {
      shown.push(before.shown);
      [last, before] = [before, last];
      continue;
    }
    const hash = rangeHash(text, start, end);
    let same = known.get(hash);
    let found: Shown | undefined;
    if (same !== undefined) {
      for (const s of same) if (s.secret.length === end - start && sameAt(text, start, s.secret)) found = s;
    }
    if (found === undefined && fingerprints < FINGERPRINTS_PER_TEXT) {
      const secret = text.slice(start, end);
      found = { secret, shown: placeholder(fingerprint(secret)) };
      fingerprints++;
      if (same === undefined) known.set(hash, (same = []));
      same.push(found);
    }
    if (found === undefined) {
      shown.push(PLAIN_PLACEHOLDER);
    } else {
      shown.push(found.shown);
      before = last;
      last = found;
    }
  }
  if (flat.length >= 2 * BUFFER_FROM) {
    const written = writeLatin1(text, flat, shown);
    if (written !== undefined) return written;
  }
  let out = "";
  let at = 0;
  for (let i = 0; i < flat.length; i += 2) {
    out += text.slice(at, flat[i] as number) + (shown[i >> 1] as string);
    at = flat[i + 1] as number;
  }
  return out + text.slice(at);
}

/**
 * The masked text written character by character into one buffer: a text of hundreds of
 * thousands of secrets would otherwise become as many slices and concatenations. Only for text of
 * characters below 256 (almost all): undefined for any other, which is concatenated instead.
 */
function writeLatin1(text: string, flat: Flat, shown: string[]): string | undefined {
  let size = text.length;
  for (let i = 0; i < flat.length; i += 2) {
    size += (shown[i >> 1] as string).length - ((flat[i + 1] as number) - (flat[i] as number));
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  let at = 0;
  for (let i = 0; i <= flat.length; i += 2) {
    const start = i < flat.length ? (flat[i] as number) : text.length;
    for (let k = at; k < start; k++) {
      const c = text.charCodeAt(k);
      if (c > 255) return undefined;
      out[pos++] = c;
    }
    if (i === flat.length) break;
    const placed = shown[i >> 1] as string;
    for (let k = 0; k < placed.length; k++) out[pos++] = placed.charCodeAt(k);
    at = flat[i + 1] as number;
  }
  return out.toString("latin1", 0, pos);
}
