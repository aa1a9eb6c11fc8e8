/**
 * The fallback for credentials no rule names: a long random-looking token is masked wherever it is,
 * unless its shape is known to be benign (hex digests and git SHAs, UUIDs, generated Kubernetes
 * names, certificate and SSH public key bodies, Google OAuth client ids). Plausible base64 is
 * decoded (bounded) and what it holds is scanned: an encoded PEM key, service-account JSON or
 * dockerconfigjson is masked whole, an encoded certificate or plain text stays; random bytes are
 * key material and are masked.
 *
 * Each run is read once into character-class facts (./run-facts.ts); nothing is sliced or
 * regex-tested per run except on the rare path where decoded base64 reads as text.
 */
import * as chars from "./char-table.js";
import * as randomness from "./randomness.js";
import * as runFacts from "./run-facts.js";
import type { Classes } from "./run-facts.js";
import { RunFacts } from "./run-facts.js";
import { type Scanner, type Span, SpanSink, detector } from "./span.js";
import { judge } from "./value-judge.js";

// Module-local copies of what the per-run code uses: under the bench's loader (tsx, CommonJS
// interop) every use of an imported binding is a getter call.
const { CHAR, TOKEN, HEX, DIGIT, LOWER } = chars;
const { boundedLooksRandom, looksRandomBase64, runLooksRandom, windowLooksRandom } = randomness;
const { F_DASH, F_DIGIT, F_DOT, F_HEX, F_HEX_LETTER, F_LOWER, F_LOWER_DIGIT_DASH, F_UPPER } = runFacts;

/** Shortest token the fallback considers (shorter random strings are too often identifiers). */
export const MIN_RANDOM_TOKEN = 20;
/** Longest base64 decoded to look inside (bytes of input); longer runs are judged by shape only. */
const MAX_DECODE = 64 * 1024;
/** How deep encodings are unwrapped (base64 of base64 of a key). */
export const MAX_DECODE_DEPTH = 2;
/**
 * What looking inside encoded text may cost per scanned text, in decoded bytes (each look also
 * charged DECODE_CALL_COST): a fixed allowance plus a share of the text. Text made of encoded
 * configuration would otherwise be scanned by every detector once more per value. Past it, encoded
 * text is masked unseen (fail closed).
 */
const DECODE_ALLOWANCE = 64 * 1024;
const DECODE_SHARE = 1 / 16;
const DECODE_CALL_COST = 1024;

/** The decoding budget of the outermost detectRandomTokens call in progress (nested calls share it). */
let decodeBudget = 0;
let decoding = 0;

type Scan = (text: string, depth: number) => Span[];

/** Hex lengths of digests (MD5 excluded: 32 hex is also the shape of many API keys). */
const DIGEST_HEX_LENGTHS = new Set([40, 56, 64, 96, 128]);
/** Base64 openings of SSH public key blobs (`ssh-rsa AAAAB3NzaC1yc2E…`). */
const SSH_PUBLIC_BLOBS = ["AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh", "AAAAGnNrLXNzaC1"];
/** Public tokens: publishable keys are meant to be shown. */
const PUBLIC_PREFIXES = ["pk_live_", "pk_test_", "pk.eyJ", "FLWPUBK", "pk-lf-"];
/** A Google OAuth client id ends so; it is public (it sits in every sign-in page). */
const GOOGLE_CLIENT_ID_SUFFIX = ".apps.googleusercontent.com";

function isHexDigit(c: number): boolean {
  return ((CHAR[c] as number) & HEX) !== 0;
}

/** `text[start, end)` is a UUID (8-4-4-4-12 hex, either case). */
function isUuid(text: string, start: number, end: number): boolean {
  if (end - start !== 36) return false;
  for (let k = 0; k < 36; k++) {
    const c = text.charCodeAt(start + k);
    if (k === 8 || k === 13 || k === 18 || k === 23 ? c !== 45 : !isHexDigit(c)) return false;
  }
  return true;
}

/** `kube-proxy-7f9c8d6b5-x2kq9`: lower-case parts of at most 10 characters joined by `-`. */
function isGeneratedName(text: string, start: number, end: number, classes: Classes): boolean {
  if ((classes.or & F_DASH) === 0 || (classes.and & F_LOWER_DIGIT_DASH) === 0) return false;
  let part = 0;
  for (let p = start; p < end; p++) {
    if (text.charCodeAt(p) === 45) part = 0;
    else if (++part > 10) return false;
  }
  return true;
}

/** `<project number>-<32 lower alphanumerics>.apps.googleusercontent.com`. */
function isGoogleClientId(text: string, start: number, end: number): boolean {
  const id = end - GOOGLE_CLIENT_ID_SUFFIX.length - 32;
  if (id - start < 2 || !text.startsWith(GOOGLE_CLIENT_ID_SUFFIX, id + 32)) return false;
  if (text.charCodeAt(id - 1) !== 45) return false;
  for (let p = start; p < id - 1; p++) if (((CHAR[text.charCodeAt(p)] as number) & DIGIT) === 0) return false;
  for (let p = id; p < id + 32; p++) {
    if (((CHAR[text.charCodeAt(p)] as number) & (DIGIT | LOWER)) === 0) return false;
  }
  return true;
}

/** Whether a listed prefix opens `text` at `start` (most runs fail on the first two characters). */
function opensWith(text: string, start: number, prefixes: readonly string[], opening: string): boolean {
  if (!text.startsWith(opening, start)) return false;
  for (const prefix of prefixes) if (text.startsWith(prefix, start)) return true;
  return false;
}

/** Whether an SSH public key blob or a public token prefix opens the run (first characters compared first). */
function opensPublic(text: string, start: number): boolean {
  const c = text.charCodeAt(start);
  if (c === 65) return text.charCodeAt(start + 1) === 65 && opensWith(text, start, SSH_PUBLIC_BLOBS, "AAAA");
  return (c === 112 || c === 70) && opensWith(text, start, PUBLIC_PREFIXES, c === 112 ? "p" : "F");
}

/** Whole-run shapes that are never secrets: digests, SHAs, UUIDs, generated names, public keys and ids. */
function benignRun(text: string, start: number, end: number, facts: RunFacts): boolean {
  const length = end - start;
  return (
    ((facts.and & F_HEX) !== 0 && DIGEST_HEX_LENGTHS.has(length)) ||
    isUuid(text, start, end) ||
    isGeneratedName(text, start, end, facts) ||
    opensPublic(text, start) ||
    ((facts.or & F_DOT) !== 0 && isGoogleClientId(text, start, end))
  );
}

/** A segment of a run (between `.` and `/`) that is random and of no benign shape. */
function randomSegment(
  text: string,
  start: number,
  end: number,
  facts: Classes,
  /** The run's facts when the segment is its first one, whose window's classes were counted. */
  run: RunFacts | undefined,
): boolean {
  const length = end - start;
  if (length < MIN_RANDOM_TOKEN) return false;
  if ((facts.and & F_HEX) !== 0) {
    // Digests and SHAs stay; other hex of 32+ characters (API keys: Datadog, Mailchimp…) is a key.
    if (DIGEST_HEX_LENGTHS.has(length)) return false;
    if (length >= 32) return (facts.or & F_DIGIT) !== 0 && (facts.or & F_HEX_LETTER) !== 0;
  }
  if (isUuid(text, start, end) || isGeneratedName(text, start, end, facts)) return false;
  if (run === undefined) return runLooksRandom(text, start, end, MIN_RANDOM_TOKEN);
  const classes = run.windowClasses;
  const upper = (classes >> 9) & 511;
  const lower = (classes >> 18) & 511;
  const digit = classes & 511;
  if (run.windowBits) {
    return boundedLooksRandom(
      text,
      start,
      run.windowStop,
      upper,
      lower,
      digit,
      run.windowHex,
      run.windowBitsOf[0] as number,
      run.windowBitsOf[1] as number,
      run.windowBitsOf[2] as number,
      run.windowBitsOf[3] as number,
    );
  }
  return windowLooksRandom(text, start, run.windowStop, upper, lower, digit, run.windowHex);
}

/** Base64 value of each character (both alphabets: a run holds only one of them), -1 if none. */
const BASE64_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (let k = 0; k < 62; k++) table[alphabet.charCodeAt(k)] = k;
  table[43] = table[45] = 62; // + -
  table[47] = table[95] = 63; // / _
  return table;
})();

/** Bytes of configuration text: letters, digits, whitespace and `-_.:/{}",=+@[]()#`. */
const PLAIN_BYTE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    const alnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
    if (
      alnum ||
      b === 32 ||
      b === 10 ||
      b === 13 ||
      b === 9 ||
      '-_.:/{}",=+@[]()#'.includes(String.fromCharCode(b))
    )
      table[b] = 1;
  }
  return table;
})();
/** Bytes the decoded text must hold to read as configuration (whitespace or structure). */
const STRUCTURE_BYTE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const c of '\t\n\r {}[]:=,"\u00a0') table[c.charCodeAt(0)] = 1;
  return table;
})();

/** A decoded byte's class for mayDecodeToText: plain (0), or these flags. */
const B_CONTROL = 1;
const B_OTHER = 2;
const B_STRUCTURE = 4;
const BYTE_CLASS: Uint8Array = Uint8Array.from({ length: 256 }, (_, b) => {
  const structure = STRUCTURE_BYTE[b] === 1 ? B_STRUCTURE : 0;
  if (PLAIN_BYTE[b] === 1) return structure;
  return b < 32 || b === 127 ? B_CONTROL : B_OTHER | structure;
});

/** Text a person or a program wrote (letters, digits, whitespace, common punctuation), not random bytes. */
function isText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let plain = 0;
  for (const b of bytes) {
    if (PLAIN_BYTE[b] === 1) plain++;
    else if (b < 32 || b === 127) return false;
  }
  return plain >= bytes.length * 0.9;
}

/**
 * Whether base64 `text[start, end)` (no padding) may decode to text with structure (isText and a
 * whitespace or structure byte): decoded on the fly, stopping at the first byte that rules it out,
 * so random bytes (key material) cost a few characters. A necessary condition; the caller decodes
 * for real when it holds.
 */
function mayDecodeToText(text: string, start: number, end: number): boolean {
  const total = Math.floor(((end - start) * 3) / 4);
  if (total === 0) return false;
  const bar = total * 0.9;
  let bytes = 0;
  let other = 0;
  let structure = false;
  let bits = 0;
  let held = 0;
  let p = start;
  // Four characters make three bytes: whole groups first, one table read per byte.
  for (; p + 4 <= end && bytes + 3 <= total; p += 4) {
    const v0 = BASE64_VALUE[text.charCodeAt(p) & 127] as number;
    const v1 = BASE64_VALUE[text.charCodeAt(p + 1) & 127] as number;
    const v2 = BASE64_VALUE[text.charCodeAt(p + 2) & 127] as number;
    const v3 = BASE64_VALUE[text.charCodeAt(p + 3) & 127] as number;
    if ((v0 | v1 | v2 | v3) < 0) break;
    const v = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    const f0 = BYTE_CLASS[v >>> 16] as number;
    const f1 = BYTE_CLASS[(v >>> 8) & 255] as number;
    const f2 = BYTE_CLASS[v & 255] as number;
    const f = f0 | f1 | f2;
    bytes += 3;
    if (f === 0) continue;
    if ((f & B_CONTROL) !== 0) return false;
    if ((f & B_OTHER) !== 0) {
      other += ((f0 & B_OTHER) + (f1 & B_OTHER) + (f2 & B_OTHER)) / B_OTHER;
      if (total - other < bar) return false;
    }
    if ((f & B_STRUCTURE) !== 0) structure = true;
  }
  for (; p < end && bytes < total; p++) {
    bits = ((bits << 6) | (BASE64_VALUE[text.charCodeAt(p) & 127] as number)) & 0xffffff;
    held += 6;
    if (held < 8) continue;
    held -= 8;
    const b = (bits >> held) & 255;
    bytes++;
    if (PLAIN_BYTE[b] !== 1) {
      if (b < 32 || b === 127) return false;
      if (total - ++other < bar) return false;
    }
    if (STRUCTURE_BYTE[b] === 1) structure = true;
  }
  return structure;
}

function secretRun(
  text: string,
  start: number,
  end: number,
  depth: number,
  scan: Scan,
  facts: RunFacts,
): boolean {
  if (benignRun(text, start, end, facts)) return false;
  const length = end - start;
  // Hex is hex, not base64 (decoded, hex digits often read as printable bytes).
  const encoded = length >= 24 && (facts.base64 || facts.base64url) && facts.fewHex(text, length * 0.85);
  if (encoded && length <= MAX_DECODE && depth < MAX_DECODE_DEPTH) {
    if (mayDecodeToText(text, start, end - facts.padding)) {
      // Past the budget encoded text cannot be looked into: masked (fail closed).
      if (decodeBudget < 0) return true;
      const bytes = Buffer.from(text.slice(start, end), facts.base64 ? "base64" : "base64url");
      if (isText(bytes) && /[\s{}[\]:=,"]/.test(bytes.toString("latin1"))) {
        // Encoded text: a secret only if it holds one (an encoded certificate or config stays visible).
        decodeBudget -= bytes.length + DECODE_CALL_COST;
        if (decodeBudget < 0) return true;
        return scan(bytes.toString("utf8"), depth + 1).length > 0;
      }
    }
  }
  for (let k = 0; k < facts.segments; k++) {
    const segment = facts.segment(k);
    const run = k === 0 && facts.windowed ? facts : undefined;
    if (randomSegment(text, segment.start, segment.end, segment, run)) return true;
  }
  // Standard base64 of random bytes (a key): `/` and `+` cut it into short segments.
  // Both cases are required: a URL path with a hex id (`/repos/a/b/trees/9f…`) is base64-shaped too.
  if (length < 32 || (facts.or & F_UPPER) === 0 || (facts.or & F_LOWER) === 0) return false;
  if (encoded) return looksRandomBase64(text, start, end, length - facts.base64Punctuation(text), 24);
  // The same key inside a longer path-like run (`acme.io/<key>/v1`, `my-bucket/<key>`): the run is
  // not base64 as a whole, so its longest stretch of base64 characters is judged as a key would be.
  return keyInPath(text, start, end);
}

/** Whether `text[start, end)` is lower-case letters, optionally followed by digits (`daily`, `v1`). */
function plainWord(text: string, start: number, end: number): boolean {
  let p = start;
  while (p < end && text.charCodeAt(p) >= 97 && text.charCodeAt(p) <= 122) p++;
  if (p === start) return false;
  while (p < end && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
  return p === end;
}

/** Whether the longest stretch of `[A-Za-z0-9+/]` in `text[start, end)` reads as a random base64 key. */
function keyInPath(text: string, start: number, end: number): boolean {
  let best = 0;
  let bestStart = start;
  let stretch = start;
  for (let p = start; p <= end; p++) {
    const c = p < end ? text.charCodeAt(p) : 0;
    if (c < 128 && (BASE64_VALUE[c] as number) >= 0 && c !== 45 && c !== 95) continue;
    if (p - stretch > best) {
      best = p - stretch;
      bestStart = stretch;
    }
    stretch = p + 1;
  }
  // The stretch without the path's steps at either end that are a plain word (`com/`, `/daily`),
  // nor the separators: what is left is the key's own characters.
  let s = bestStart;
  let e = bestStart + best;
  for (;;) {
    while (s < e && text.charCodeAt(s) === 47) s++;
    let slash = s;
    while (slash < e && text.charCodeAt(slash) !== 47) slash++;
    if (slash >= e || !plainWord(text, s, slash)) break;
    s = slash;
  }
  for (;;) {
    while (e > s && text.charCodeAt(e - 1) === 47) e--;
    // Looked for back to `s` only (lastIndexOf would read on to the text's previous `/`).
    let slash = e - 1;
    while (slash >= s && text.charCodeAt(slash) !== 47) slash--;
    if (slash < s || !plainWord(text, slash + 1, e)) break;
    e = slash;
  }
  if (e - s < 24) return false;
  let upper = false;
  let lower = false;
  let slash = false;
  let punctuation = 0;
  // Changes between upper case, lower case and digit from one character to the next: about two in
  // three in random base64, few in words and CamelCase (`com/AWSEC2/latest/APIReference/API`).
  let changes = 0;
  let previous = 0;
  for (let p = s; p < e; p++) {
    const c = text.charCodeAt(p);
    const kind = c >= 65 && c <= 90 ? 1 : c >= 97 && c <= 122 ? 2 : c >= 48 && c <= 57 ? 3 : 0;
    if (kind === 1) upper = true;
    else if (kind === 2) lower = true;
    else if (kind === 0) {
      punctuation++;
      if (c === 47) slash = true;
    }
    if (kind !== 0 && previous !== 0 && kind !== previous) changes++;
    previous = kind;
  }
  // Without a `/` inside, the stretch was a segment of the run, judged above.
  if (!slash || !upper || !lower || changes < (e - s - punctuation) * 0.3) return false;
  return looksRandomBase64(text, s, e, e - s - punctuation, 24);
}

/** Certificate and public key PEM blocks: their bodies are public. */
function publicBlocks(text: string): [number, number][] {
  const blocks: [number, number][] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf("-----BEGIN ", from);
    if (at < 0) break;
    const labelEnd = text.indexOf("-----", at + 11);
    if (labelEnd < 0 || labelEnd - at > 80) {
      from = at + 11;
      continue;
    }
    const label = text.slice(at + 11, labelEnd);
    const end = text.indexOf("-----END ", labelEnd);
    // No END line anywhere after: no later block can close either (keeps this linear).
    if (end < 0) break;
    if (label.includes("PRIVATE")) {
      from = labelEnd + 5;
      continue;
    }
    blocks.push([labelEnd, end]);
    from = end + 9;
  }
  return blocks;
}

/** Random-looking tokens and encoded secrets in `text`; `scan` looks inside decoded base64. */
export function scanRandomTokens(text: string, depth: number, scan: Scan, out: SpanSink): void {
  // The outermost call sets the budget its nested calls (decoded text) draw from.
  if (decoding === 0) decodeBudget = DECODE_ALLOWANCE + text.length * DECODE_SHARE;
  decoding++;
  try {
    randomTokens(text, depth, scan, out);
  } finally {
    decoding--;
  }
}

/** scanRandomTokens as a list of spans (for tests). */
export function detectRandomTokens(text: string, depth: number, scan: Scan): Span[] {
  const out = new SpanSink(true);
  scanRandomTokens(text, depth, scan, out);
  return out.spans();
}

/** One randomTokens call's state: what judging a run needs besides the run. */
class RunJudge {
  private readonly facts = new RunFacts(MIN_RANDOM_TOKEN);
  private readonly skip: [number, number][];
  private block = 0;
  constructor(
    private readonly text: string,
    private readonly depth: number,
    private readonly scan: Scan,
    private readonly out: SpanSink,
  ) {
    this.skip = publicBlocks(text);
  }

  /** The last long run's start and where its reading stopped (-1: none, or judged otherwise since). */
  private previous = -1;
  private previousStop = -1;
  /** Long runs to let pass before looking for repeated text again, and how many after its next failure. */
  private wait = 0;
  private backoff = 0;

  /** The run at `start` of MIN_RANDOM_TOKEN token characters or more: judged; returns where it stops. */
  long(start: number): number {
    const facts = this.facts;
    const stop = facts.readRun(this.text, start);
    const end = facts.end;
    const budget = decodeBudget;
    const masked = end - start >= MIN_RANDOM_TOKEN && this.judge(start, end);
    const previous = this.previous;
    const previousLength = this.previousStop - previous;
    const period = start - previous;
    this.previous = start;
    this.previousStop = stop;
    // The same run again and again (`AKIA… AKIA…`, the same encoded value): where the text repeats
    // itself with the period from the last long run, each later run is this one again (judged
    // alike: no public block, nothing decoded), found by arithmetic.
    if (
      previous < 1 ||
      stop - start !== previousLength ||
      budget !== decodeBudget ||
      this.skip.length > 0 ||
      this.wait-- > 0
    ) {
      return stop;
    }
    // A copy's reading looks one character past its stop (the end of the run, padding).
    const times = repetitions(this.text, start - 1, period, stop + 1);
    if (times === 0) {
      this.backoff = Math.min(64, 2 * this.backoff + 1);
      this.wait = this.backoff;
      return stop;
    }
    this.backoff = 0;
    if (masked)
      for (let j = 1; j <= times; j++) this.out.add(start + j * period, end + j * period, "high-entropy");
    this.previous = start + times * period;
    this.previousStop = stop + times * period;
    return this.previousStop;
  }

  /** A shorter run `[start, stop)` followed by `=`: long enough with its padding? Returns where it stops. */
  padded(start: number, stop: number): number {
    const text = this.text;
    let i = stop;
    // `=` only as trailing base64 padding (so `NAME=value` splits).
    while (
      i < text.length &&
      i - start >= 4 &&
      text.charCodeAt(i) === 61 &&
      (i + 1 === text.length || ((CHAR[text.charCodeAt(i + 1)] as number) & TOKEN) === 0)
    )
      i++;
    let end = i;
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
    if (end - start < MIN_RANDOM_TOKEN) return i;
    this.facts.read(text, start, end);
    this.judge(start, end);
    this.previous = -1;
    return i;
  }

  /** Judges a run; whether it was masked. */
  private judge(start: number, end: number): boolean {
    const skip = this.skip;
    while (this.block < skip.length && (skip[this.block] as [number, number])[1] < start) this.block++;
    const inPublic = this.block < skip.length && (skip[this.block] as [number, number])[0] <= start;
    if (inPublic || !secretRun(this.text, start, end, this.depth, this.scan, this.facts)) return false;
    this.out.add(start, end, "high-entropy");
    return true;
  }
}

/** 1 for a token character (what a run is made of), per code unit. */
const RUN_CHAR: Uint8Array = Uint8Array.from(CHAR, (f) => ((f & TOKEN) !== 0 ? 1 : 0));

function randomTokens(text: string, depth: number, scan: Scan, out: SpanSink): void {
  const runs = new RunJudge(text, depth, scan, out);
  const table = RUN_CHAR;
  const length = text.length;
  // One state machine over the characters (most runs are short: nothing is set up for them). A
  // run is handed over once it reaches MIN_RANDOM_TOKEN characters, or when `=` follows it (base
  // padding may make it long enough; trailing dots only shorten it). The machine is a tight loop
  // of its own that stops only for those (no call inside it: V8 keeps it small).
  let start = -1;
  let i = 0;
  for (;;) {
    for (; i < length; i++) {
      if (table[text.charCodeAt(i)] !== 0) {
        if (start < 0) start = i;
        else if (i - start === MIN_RANDOM_TOKEN - 1) break;
      } else if (start >= 0) {
        if (text.charCodeAt(i) === 61) break;
        start = -1;
      }
    }
    if (i >= length) return;
    if (table[text.charCodeAt(i)] !== 0) {
      i = runs.long(start);
    } else if (i - start >= 4 && (i + 1 === length || table[text.charCodeAt(i + 1)] !== 1)) {
      // Padding only where no token character follows the `=` (`NAME=value` splits), after four.
      // (Reads stay inside the text: one read past its end makes V8 slow down the whole loop.)
      i = runs.padded(start, i);
    }
    start = -1;
  }
}

/** The markers that quote a rejected value: the word before ` value: `, and the quote after it. */
const MARKER_WORDS: readonly string[] = ["Invalid", "Duplicate", "invalid", "Forbidden"];
const MARKER_QUOTES: readonly number[] = [34, 34, 39, 34];

/** Distinct rejected values judged per text: a fixed allowance plus one per JUDGE_SHARE⁻¹ characters. */
const JUDGE_ALLOWANCE = 1024;
const JUDGE_SHARE = 1 / 256;

/** Whether `word` ends right before `at`. */
function endsAt(text: string, at: number, word: string): boolean {
  const from = at - word.length;
  if (from < 0) return false;
  for (let k = 0; k < word.length; k++) if (text.charCodeAt(from + k) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * The marker (index in MARKER_WORDS) whose ` value: ` sits at `at`, or -1: the quote and the
 * word's last letter tell which one it can be (their words end differently), then its letters.
 */
function markerAt(text: string, at: number): number {
  if (at < 1 || at + 8 >= text.length) return -1;
  const quote = text.charCodeAt(at + 8);
  if (quote === 39) return endsAt(text, at, "invalid") ? 2 : -1;
  if (quote !== 34) return -1;
  const last = text.charCodeAt(at - 1);
  if (last === 100) return endsAt(text, at, "Invalid") ? 0 : -1;
  if (last === 101) return endsAt(text, at, "Duplicate") ? 1 : -1;
  if (last === 110) return endsAt(text, at, "Forbidden") ? 3 : -1;
  return -1;
}

/** `Invalid value: "X"` / `Duplicate value: "X"` in API server messages: the quoted value they reject. */
export const scanRejectedValues: Scanner = (text, out) => {
  // Each marker resumes after the value it last read (a value may quote another marker).
  const from = new Int32Array(MARKER_WORDS.length);
  // The last value judged and its verdict: messages repeat the same value (allocation-free reuse).
  let lastStart = -1;
  let lastEnd = -1;
  let lastMasked = false;
  // Judging costs far more than finding: a text of distinct rejected values gets a bounded number of
  // judgements, the rest are masked unjudged (fail closed). Real messages hold a handful.
  let judgements = JUDGE_ALLOWANCE + text.length * JUDGE_SHARE;
  const length = text.length;
  // The last marker whose value was the value before it (-1: none), its kind, and the backoff of
  // looking for repeated text (longer each time it was not there, at most 64 markers).
  let repeated = -1;
  let repeatedKind = -1;
  let wait = 0;
  let backoff = 0;
  // One native search for what all markers share.
  for (let at = text.indexOf(" value: "); at >= 0; at = text.indexOf(" value: ", at + 1)) {
    const k = markerAt(text, at);
    if (k < 0 || at - (MARKER_WORDS[k] as string).length < (from[k] as number)) continue;
    const quote = MARKER_QUOTES[k] as number;
    const start = at + 9;
    let end = start;
    // A Go %q string: backslash escapes, ends at the unescaped quote (bounded).
    const stop = Math.min(length, start + 65536);
    while (end < stop) {
      const c = text.charCodeAt(end);
      if (c === quote || c === 10) break;
      end += c === 92 ? 2 : 1;
    }
    end = Math.min(end, length);
    from[k] = Math.max(end, start);
    if (end <= start) continue;
    // The rejected value is whatever was in the field: masked unless it reads as a name, URL, number…
    const judgedEnd = Math.min(end, start + 4096);
    const same = sameText(text, lastStart, lastEnd, start, judgedEnd);
    if (!same) {
      lastMasked = --judgements < 0 || judge("value", text.slice(start, judgedEnd), "secret") === "mask";
    }
    lastStart = start;
    lastEnd = judgedEnd;
    if (lastMasked) out.add(start, end, "quoted-rejected-value");
    // The same message again and again (`Invalid value: "x"` repeated): where the text repeats
    // itself from the last such marker on, every later one is this one again, found by arithmetic.
    const previous = repeated;
    const previousKind = repeatedKind;
    repeated = at;
    repeatedKind = k;
    if (previous < 9 || !same || end !== judgedEnd || previousKind !== k || wait-- > 0) continue;
    const period = at - previous;
    let others = true;
    for (let j = 0; j < from.length; j++)
      if (j !== k && (from[j] as number) > at - period - 9) others = false;
    const times = others ? repetitions(text, at - 9, period, end) : 0;
    if (times === 0) {
      backoff = Math.min(64, 2 * backoff + 1);
      wait = backoff;
      continue;
    }
    backoff = 0;
    for (let j = 1; j <= times; j++) {
      if (lastMasked) out.add(start + j * period, end + j * period, "quoted-rejected-value");
    }
    const shift = times * period;
    at += shift;
    from[k] = (from[k] as number) + shift;
    lastStart += shift;
    lastEnd += shift;
    repeated = at;
  }
};

/**
 * How many times `period` the text from `from` repeats its preceding `period` characters far
 * enough that what was read up to `last` (inclusive) is read again that many periods on: compared
 * natively by growing chunks.
 */
function repetitions(text: string, from: number, period: number, last: number): number {
  let end = from;
  for (let chunk = 64; end < text.length; chunk = Math.min(2 * chunk, 1 << 20)) {
    const limit = Math.min(text.length, end + chunk);
    if (text.startsWith(text.substring(end - period, limit - period), end)) {
      end = limit;
      continue;
    }
    while (end < limit && text.charCodeAt(end) === text.charCodeAt(end - period)) end++;
    break;
  }
  // Text repeats over [from, end): the value read k periods on ends at last + k·period < end.
  return end - 1 - last < period ? 0 : Math.floor((end - 1 - last) / period);
}
export const detectRejectedValues = detector(scanRejectedValues);

/** Whether `text[a, aEnd)` and `text[b, bEnd)` hold the same characters. */
function sameText(text: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (a < 0 || aEnd - a !== bEnd - b) return false;
  for (let k = 0; k < aEnd - a; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}
