/**
 * Secrets in configuration syntaxes without `=` or `:` between name and value: directives
 * (`requirepass X`, `HTTP_Passwd X`, `proxy_set_header X-Api-Key "X"`), `.netrc` (`password X`),
 * `.pgpass` lines, pgbouncer userlists, XML elements and attributes (`<password>X</password>`,
 * `<add key="StorageKey" value="X"/>`) and quoted call arguments (`define('AUTH_KEY', 'X')`,
 * `setRequestHeader("X-Api-Key", "X")`). Line-by-line or indexOf-driven, each bounded.
 */
import { NAME_CHAR, NAME_WORDS, RangeMemo, SENSITIVITY, masksValueAt } from "./config-memo.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import { type Scanner, type SpanSink, detector } from "./span.js";
import { isSpace } from "./span.js";

const MAX_VALUE = 4096;
const MAX_NAME = 64;
/** Longest word read (as the shell detector reads a command's words). */
const MAX_COMMAND = 2048;

function isNameChar(c: number): boolean {
  return NAME_CHAR[c] === 1;
}

/** Directives whose first argument is a header or variable name and second its value. */
const NAMED_DIRECTIVES = new Set([
  "proxy_set_header",
  "add_header",
  "more_set_headers",
  "grpc_set_header",
  "fastcgi_param",
  "uwsgi_param",
  "scgi_param",
  "setenv",
  "env",
  "export",
  "set",
  "requestheader",
  "header",
]);

/** Words after `password` in prose, which are not its value (`password is required`). */
const PROSE = new Set([
  "is",
  "was",
  "for",
  "must",
  "should",
  "the",
  "a",
  "an",
  "authentication",
  "expired",
  "required",
  "changed",
  "reset",
  "policy",
  "field",
  "of",
  "to",
  "and",
  "or",
  "not",
  "cannot",
  "has",
  "will",
  "length",
  "too",
  "with",
  "in",
  "on",
  "from",
  "mismatch",
  "incorrect",
  "invalid",
  "hash",
  "file",
  "prompt",
  "login",
  "manager",
  "protected",
  "auth",
]);

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}

function isProse(value: string): boolean {
  return PROSE.has(value.toLowerCase());
}
const PROSE_WORD = new RangeMemo(isProse);

/** The span judgedSpan found. */
let spanStart = 0;
let spanEnd = 0;

/**
 * Whether the judge masks `[start, end)` (trailing `;` and spaces trimmed, matching quotes
 * stripped: the span left in spanStart/spanEnd) under a name of `sensitivity`; `prose` skips
 * words such as `is`, `required` after `password`.
 */
function judgedSpan(
  text: string,
  start: number,
  end: number,
  sensitivity: Sensitivity,
  prose: boolean,
): boolean {
  while (end > start && (text.charCodeAt(end - 1) === 59 || isSpace(text.charCodeAt(end - 1)))) end--;
  if (end <= start || end - start > MAX_VALUE) return false;
  let s = start;
  let e = end;
  const q = text.charCodeAt(s);
  if ((q === 34 || q === 39) && text.charCodeAt(e - 1) === q && e - s >= 2) {
    s++;
    e--;
  }
  if (sensitivity === "none" || e <= s) return false;
  if (prose && sensitivity === "password" && PROSE_WORD.get(text, s, e)) return false;
  if (!masksValueAt(text, s, e, sensitivity)) return false;
  spanStart = s;
  spanEnd = e;
  return true;
}

/** judgedSpan's span, pushed when the judge masks it. */
function pushJudged(
  out: SpanSink,
  text: string,
  start: number,
  end: number,
  sensitivity: Sensitivity,
  prose: boolean,
): void {
  if (judgedSpan(text, start, end, sensitivity, prose)) out.add(spanStart, spanEnd, "config-directive");
}

/** What a line's first word can start: a two-word directive, a named directive (`proxy_set_header`), a password word. */
const TWO_WORD = 1;
const NAMED = 2;
const PASSWORD_WORD = 4;
/** TWO_WORD and a name that says secret: without it a two-word line ends unmasked (the judge says scan). */
const SENSITIVE_TWO_WORD = 8;
const PASSWORD_WORDS = new Set(["password", "passwd", "insecure-password", "requirepass", "masterauth"]);
const FLAGS = new RangeMemo((name) => {
  const lower = name.toLowerCase();
  let flags = 0;
  // Two words: a directive when the name is a password word or a compound (`HTTP_Passwd`, `api_key`);
  // `Secret prod/db` or `Token expired` in a sentence is not one.
  if (/^[A-Za-z0-9_.-]+$/.test(name) && (/[_-]/.test(name) || nameSensitivity(name) === "password"))
    flags |= nameSensitivity(name) === "none" ? TWO_WORD : TWO_WORD | SENSITIVE_TWO_WORD;
  if (NAMED_DIRECTIVES.has(lower)) flags |= NAMED;
  if (PASSWORD_WORDS.has(lower)) flags |= PASSWORD_WORD;
  return flags;
});

/*
 * Candidate lines, each found by a native regex that cannot backtrack beyond one line's first word
 * (a literal or one-character-class start, an atomic indent `(?=(…*))\1`, single quantified classes):
 * - LINE_START: the first thing on a line (after its indent). Its match is the newline, the line's
 *   first character (never a newline: runs of blank lines fail on their first two characters, which
 *   V8 checks at once) and the indent if any, up to
 *   - the first character of a first word (name characters) followed by blanks and a second word,
 *     holding a word a sensitive or a named directive's name holds (structure checked first, the
 *     words only on lines that have it); the first word then decides;
 *   - or a quote opening the line: a quoted such name, or pgbouncer's `"user" "secret"`.
 * - PASSWORD_AT: a password word as a whole word anywhere (`machine h login u password X`), with
 *   the blank or quote before it (no look-behind: attempts start at that character).
 * - PGPASS_PORT: `:5432:` / `:*:`, the port field of a `.pgpass` line.
 * Lines without any of them (blank, prose, YAML `key: value`) are never read.
 */
const DIRECTIVE_WORDS = `${NAME_WORDS}|env|set|export|header|param`;
/** A first word followed by blanks and a second word, holding one of DIRECTIVE_WORDS. */
const WORD_AHEAD = String.raw`(?=[\w.-]+[ \t]+[^\s])(?=[\w.-]*?(?:${DIRECTIVE_WORDS}))`;
/** After an opening quote: a name holding one of DIRECTIVE_WORDS, or `"user" "`. */
const QUOTE_AHEAD = String.raw`(?:(?=[\w.-]*?(?:${DIRECTIVE_WORDS}))|(?<=")(?=[^"\n]*" "))`;
const LINE_START = new RegExp(
  String.raw`\n[^\n](?:(?<=[\w.-])(?=[\w.-]*[ \t]+[^\s])(?<=(?=[\w.-]*?(?:${DIRECTIVE_WORDS})).)|(?<=["'])${QUOTE_AHEAD}|(?<=[ \t\v\f\r])(?=([ \t\v\f\r]*))\1(?:${WORD_AHEAD}[\w.-]|["']${QUOTE_AHEAD}))`,
  "gi",
);
const PASSWORD_AT = /[\s"'](?:password|passwd|requirepass|masterauth|insecure-password)(?=[\s"';&|]|$)/gi;
const PGPASS_PORT = /:(?:\d{1,5}|\*):/g;
const STREAMS = [LINE_START, PASSWORD_AT, PGPASS_PORT];

/** `NAME VALUE` lines (directives), `password X` anywhere on a line, `.pgpass` and userlist lines. */
export const scanDirectives: Scanner = (text, out) => {
  scanId++;
  // The first line has no newline before it: read it whole (bounded: at most 16 words).
  let done = lineEnd(text, 0) + 1;
  directiveLine(text, 0, done - 1, out);
  if (done >= text.length) return;
  const streams = STREAMS;
  // Where each stream's next match ends (-1: none left).
  const next = [0, 0, 0];
  // Searches restart at the newline ending the last line read: LINE_START's match starts there.
  for (let k = 0; k < 3; k++) next[k] = search(streams[k] as RegExp, text, done - 1);
  for (;;) {
    let k = -1;
    for (let j = 0; j < 3; j++) {
      const at = next[j] as number;
      if (at >= 0 && (k < 0 || at < (next[k] as number))) k = j;
    }
    if (k < 0) break;
    const re = streams[k] as RegExp;
    const matchEnd = next[k] as number;
    const start = candidateLine(text, k, matchEnd);
    if (start >= 0) {
      const end = lineEnd(text, matchEnd - 1);
      directiveLine(text, start, end, out);
      done = end + 1;
      for (let j = 0; j < 3; j++) {
        if ((next[j] as number) >= 0 && (next[j] as number) < done)
          next[j] = search(streams[j] as RegExp, text, done - 1);
      }
    } else {
      next[k] = search(re, text, matchEnd);
    }
  }
};
export const detectDirectives = detector(scanDirectives);

/** The end of `re`'s next match from `from`, or -1. */
function search(re: RegExp, text: string, from: number): number {
  if (from >= text.length) return -1;
  // PASSWORD_AT's match starts at the character before the word, which may lie before `from`.
  re.lastIndex = re === PASSWORD_AT && from > 0 ? from - 1 : from;
  return re.test(text) ? re.lastIndex : -1;
}

/** The start of the line a stream's match (ending at `matchEnd`) makes worth reading, or -1. */
function candidateLine(text: string, stream: number, matchEnd: number): number {
  if (stream !== 0) return text.lastIndexOf("\n", matchEnd - 1) + 1;
  const open = matchEnd - 1;
  const q = text.charCodeAt(open);
  if (q !== 34 && q !== 39) {
    // `\n` indent, then the first character of the first word: the word decides.
    const wordStart = open;
    let e = matchEnd;
    while (e - wordStart <= MAX_NAME && NAME_CHAR[text.charCodeAt(e)] === 1) e++;
    if (e - wordStart > MAX_NAME || (FLAGS.get(text, wordStart, e) & (SENSITIVE_TWO_WORD | NAMED)) === 0)
      return -1;
    return text.lastIndexOf("\n", wordStart) + 1;
  }
  // A quote opening the line: a pgbouncer pair, or a quoted directive name.
  const close = text.indexOf(q === 34 ? '"' : "'", open + 1);
  if (close < 0) return -1;
  const pair = q === 34 && text.charCodeAt(close + 1) === 32 && text.charCodeAt(close + 2) === 34;
  if (
    !pair &&
    (close - open - 1 > MAX_NAME || (FLAGS.get(text, open + 1, close) & (SENSITIVE_TWO_WORD | NAMED)) === 0)
  )
    return -1;
  return text.lastIndexOf("\n", open) + 1;
}

/** Word bounds of the line being read (a directive is short: at most 16 words). */
const WORD_START = new Int32Array(16);
const WORD_END = new Int32Array(16);

/** Skips blanks natively (a hostile line may be megabytes of them). */
const NOT_BLANK = /[^ \t\n\r\v\f]/g;

function directiveLine(text: string, start: number, end: number, out: SpanSink): void {
  let i = start;
  while (i < end && i - start < 64 && isSpace(text.charCodeAt(i))) i++;
  if (i < end && isSpace(text.charCodeAt(i))) {
    NOT_BLANK.lastIndex = i;
    i = NOT_BLANK.test(text) ? Math.min(end, NOT_BLANK.lastIndex - 1) : end;
  }
  // `.pgpass`: host:port:database:user:password.
  if (pgpass(text, i, end, out)) return;
  // pgbouncer userlist: "user" "secret".
  if (text.charCodeAt(i) === 34) {
    const close = text.indexOf('"', i + 1);
    if (close > 0 && close < end && text.charCodeAt(close + 1) === 32 && text.charCodeAt(close + 2) === 34) {
      const last = text.lastIndexOf('"', end);
      if (last > close + 2 && end - last <= 2) out.add(close + 3, last, "config-directive");
      return;
    }
  }
  // The words of the line, bounded: a directive is short.
  let count = 0;
  let w = i;
  while (w < end && count < 16) {
    while (w < end && (text.charCodeAt(w) === 32 || text.charCodeAt(w) === 9)) w++;
    if (w >= end) break;
    if (!wordAt(text, w, count)) break;
    const wordEnd = WORD_END[count] as number;
    count++;
    w = wordEnd + (text.charCodeAt(wordEnd) === 34 || text.charCodeAt(wordEnd) === 39 ? 1 : 0);
  }
  if (count === 0) return;
  const first = WORD_START[0] as number;
  const firstEnd = WORD_END[0] as number;
  if (firstEnd - first > MAX_NAME) return;
  const flags = FLAGS.get(text, first, firstEnd);
  if (count === 2 && (flags & TWO_WORD) !== 0) {
    const value = WORD_START[1] as number;
    const valueEnd = WORD_END[1] as number;
    if (PROSE_WORD.get(text, value, valueEnd)) return;
    const sensitivity = SENSITIVITY.get(text, first, firstEnd);
    pushJudged(out, text, value, Math.min(end, quotedEnd(text, valueEnd)), sensitivity, false);
    return;
  }
  if (count >= 3 && (flags & NAMED) !== 0) {
    const header = WORD_START[1] as number;
    let headerEnd = WORD_END[1] as number;
    if (headerEnd > header && text.charCodeAt(headerEnd - 1) === 58) headerEnd--;
    // A header or variable set by a directive is there to be sent: a `…-Key` header holds a key.
    const level = SENSITIVITY.get(text, header, headerEnd);
    const lastEnd = WORD_END[count - 1] as number;
    pushJudged(
      out,
      text,
      WORD_START[2] as number,
      Math.min(end, quotedEnd(text, lastEnd)),
      level === "weak" ? "secret" : level,
      true,
    );
    return;
  }
  // `machine h login u password X`, `user admin insecure-password X`: a password word mid-line.
  for (let k = 0; k + 1 < count; k++) {
    const s = WORD_START[k] as number;
    const e = WORD_END[k] as number;
    if (e - s < 6 || e - s > 17 || (FLAGS.get(text, s, e) & PASSWORD_WORD) === 0) continue;
    const value = WORD_START[k + 1] as number;
    const valueEnd = WORD_END[k + 1] as number;
    if (PROSE_WORD.get(text, value, valueEnd) || (valueEnd > value && text.charCodeAt(valueEnd - 1) === 58))
      continue;
    pushJudged(out, text, value, valueEnd, "password", true);
    k++;
  }
}

/** The word (maybe quoted) at `at` into slot `n` (as firstWord reads it); false when there is none. */
function wordAt(text: string, at: number, n: number): boolean {
  const q = text.charCodeAt(at);
  if (q === 34 || q === 39) {
    const close = text.indexOf(q === 34 ? '"' : "'", at + 1);
    if (close < 0 || close - at > MAX_COMMAND) return false;
    WORD_START[n] = at + 1;
    WORD_END[n] = close;
    return true;
  }
  let e = at;
  const limit = Math.min(text.length, at + MAX_COMMAND);
  while (e < limit) {
    const c = text.charCodeAt(e);
    if (isSpace(c) || c === 59 || c === 38 || c === 124) break;
    e++;
  }
  if (e === at) return false;
  WORD_START[n] = at;
  WORD_END[n] = e;
  return true;
}

function quotedEnd(text: string, wordEnd: number): number {
  const c = text.charCodeAt(wordEnd);
  return c === 34 || c === 39 ? wordEnd + 1 : wordEnd;
}

/**
 * The first `:` at or after `from` in the text of the current scan (scanId), or -1: a native search
 * remembered while it lies ahead, so the lines read (in order) cost one search per colon, not one
 * read per character.
 */
let scanId = 0;
let colonScan = -1;
let colonFrom = 0;
let colonAt = -1;
function nextColon(text: string, from: number): number {
  if (colonScan !== scanId || from < colonFrom || (colonAt >= 0 && colonAt < from)) {
    colonScan = scanId;
    colonFrom = from;
    colonAt = text.indexOf(":", from);
  }
  return colonAt;
}

function pgpass(text: string, start: number, end: number, out: SpanSink): boolean {
  if (end - start > 1024) return false;
  // Four colons: most lines have none, and are not sliced.
  let colons = 0;
  for (let i = nextColon(text, start); i >= 0 && i < end && colons < 5; i = nextColon(text, i + 1)) colons++;
  if (colons !== 4) return false;
  const line = text.slice(start, end).trimEnd();
  const parts = line.split(":");
  if (parts.length !== 5 || !/^(?:\d{1,5}|\*)$/.test(parts[1] as string) || /\s/.test(line)) return false;
  const password = parts[4] as string;
  if (password === "" || password === "*") return false;
  out.add(start + line.length - password.length, start + line.length, "config-directive");
  return true;
}

/** `<password>X</password>` and other elements whose name says secret. */
export const scanMarkupSecrets: Scanner = (text, out) => {
  let from = 0;
  for (;;) {
    const close = text.indexOf("</", from);
    if (close < 0) break;
    from = close + 2;
    let n = close + 2;
    while (n < text.length && n - close < MAX_NAME && isNameChar(text.charCodeAt(n))) n++;
    if (text.charCodeAt(n) !== 62) continue;
    const nameLength = n - close - 2;
    // The previous `>` is at most the previous closing tag's: amortised linear.
    const open = text.lastIndexOf(">", close);
    if (open < 0 || close - open > MAX_VALUE) continue;
    let tagStart = open;
    while (tagStart > 0 && open - tagStart < 1024 && text.charCodeAt(tagStart) !== 60) tagStart--;
    if (text.charCodeAt(tagStart) !== 60 || !sameRange(text, tagStart + 1, close + 2, nameLength)) continue;
    if (!/[\s>]/.test(text.charAt(tagStart + nameLength + 1))) continue;
    if (open > close - 1) continue;
    pushJudged(out, text, open + 1, close, SENSITIVITY.get(text, close + 2, n), false);
  }
  // `key="Name" value="X"` / `name="Name" value="X"` in one tag: the tag is the last `<` before the
  // value, within 512 characters. `<` positions are found in one forward pass shared by all
  // candidates (each `<` once); when none lies within reach, no candidate before the next `<` has
  // one either, and none after the last `<` is looked for.
  from = 0;
  let lastTag = -1;
  let nextTag = text.indexOf("<");
  let attrFrom = -1;
  let attrStart = -1;
  let attrEnd = -1;
  for (;;) {
    const at = text.indexOf('value="', from);
    if (at < 0) break;
    from = at + 7;
    while (nextTag >= 0 && nextTag < at) {
      lastTag = nextTag;
      nextTag = text.indexOf("<", nextTag + 1);
    }
    if (lastTag < 0 || at - lastTag > 512) {
      if (nextTag < 0) break;
      if (nextTag + 1 > from) from = nextTag + 1;
      continue;
    }
    // The first `key="…"` / `name="…"` from the tag on (searched in the whole text, remembered while
    // it lies at or after the tag: one search per attribute), if it ends before the value.
    if (attrFrom < 0 || attrFrom > lastTag || (attrEnd >= 0 && attrStart < lastTag)) {
      attrFrom = lastTag;
      KEY_ATTRIBUTE.lastIndex = lastTag;
      attrEnd = KEY_ATTRIBUTE.test(text) ? KEY_ATTRIBUTE.lastIndex : -1;
      if (attrEnd >= 0) {
        const nameStart = text.lastIndexOf('"', attrEnd - 2) + 1;
        attrStart = nameStart - (text.charCodeAt(nameStart - 6) === 110 ? 6 : 5);
      }
    }
    if (attrEnd < 0 || attrEnd > at) continue;
    const endQuote = text.indexOf('"', at + 7);
    if (endQuote < 0 || endQuote - at > MAX_VALUE) continue;
    const nameStart = text.lastIndexOf('"', attrEnd - 2) + 1;
    pushJudged(out, text, at + 7, endQuote, SENSITIVITY.get(text, nameStart, attrEnd - 1), false);
    from = endQuote + 1;
  }
};

/** A `key="Name"` or `name="Name"` attribute (linear: literals, one bounded class). */
const KEY_ATTRIBUTE = /\b(?:key|name)="[^"]{1,64}"/g;
export const detectMarkupSecrets = detector(scanMarkupSecrets);

/** Whether `text[a, a + length)` equals `text[b, b + length)`. */
function sameRange(text: string, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false;
  return true;
}

/** QuotedPairs' last name and value, as character codes (compared in place with the text). */
const LAST_NAME = new Uint16Array(MAX_NAME + 1);
const LAST_VALUE = new Uint16Array(MAX_VALUE + 1);

/** `'NAME', 'VALUE'` / `"NAME", "VALUE"`: call arguments such as define() and setRequestHeader(). */
export const scanQuotedPairs: Scanner = (text, out) => {
  // The last name and value read, with their verdicts: text that repeats a pair (hostile or
  // generated) is compared with them while it is read, instead of read and then compared.
  let nameLength = 0;
  let lastSensitivity: Sensitivity = "none";
  let valueLength = 0;
  let lastQuote = 0;
  let lastValueSensitivity: Sensitivity = "none";
  /** Where the last value's span lies in it (-1: not masked). */
  let lastSpanStart = -1;
  let lastSpanEnd = -1;
  let from = 0;
  const length = text.length;
  for (;;) {
    const comma = text.indexOf(",", from);
    if (comma < 0) break;
    from = comma + 1;
    let b = comma;
    while (b > 0 && comma - b < 4 && text.charCodeAt(b - 1) === 32) b--;
    const q = text.charCodeAt(b - 1);
    if (q !== 34 && q !== 39) continue;
    // The name: name characters back to the opening quote, at most MAX_NAME of them. Read against
    // the last name first: its characters are name characters, so matching them all and then the
    // quote is the same name.
    let k = b - 2;
    let j = nameLength - 1;
    while (j >= 0 && k >= 0 && text.charCodeAt(k) === LAST_NAME[j]) {
      k--;
      j--;
    }
    let sensitivity: Sensitivity;
    if (j < 0 && nameLength > 0 && k >= 0 && text.charCodeAt(k) === q) {
      sensitivity = lastSensitivity;
    } else {
      while (k >= 0 && b - 2 - k <= MAX_NAME && NAME_CHAR[text.charCodeAt(k)] === 1) k--;
      if (k < 0 || k >= b - 2 || b - 2 - k > MAX_NAME || text.charCodeAt(k) !== q) continue;
      sensitivity = SENSITIVITY.get(text, k + 1, b - 1);
      nameLength = b - 2 - k;
      for (let i = 0; i < nameLength; i++) LAST_NAME[i] = text.charCodeAt(k + 1 + i);
      lastSensitivity = sensitivity;
    }
    let a = comma + 1;
    while (a < length && a - comma < 4 && text.charCodeAt(a) === 32) a++;
    const q2 = text.charCodeAt(a);
    if (q2 !== 34 && q2 !== 39) continue;
    // The value up to the next quote of its kind: the last value when the text repeats it (it holds
    // no such quote, and the quote follows it).
    const valueStart = a + 1;
    let valueEnd = valueStart + valueLength;
    let same = q2 === lastQuote && valueLength > 0 && text.charCodeAt(valueEnd) === q2;
    for (let i = 0; same && i < valueLength; i++) same = text.charCodeAt(valueStart + i) === LAST_VALUE[i];
    if (same) {
      if (sensitivity !== "none") {
        if (sensitivity !== lastValueSensitivity) {
          lastValueSensitivity = sensitivity;
          lastSpanStart = -1;
          if (judgedSpan(text, valueStart, valueEnd, sensitivity, true)) {
            out.add(spanStart, spanEnd, "config-directive");
            lastSpanStart = spanStart - valueStart;
            lastSpanEnd = spanEnd - valueStart;
          }
        } else if (lastSpanStart >= 0) {
          out.add(valueStart + lastSpanStart, valueStart + lastSpanEnd, "config-directive");
        }
      }
    } else {
      valueEnd = text.indexOf(q2 === 34 ? '"' : "'", valueStart);
      if (valueEnd < 0 || valueEnd - a > MAX_VALUE) continue;
      if (sensitivity !== "none") {
        valueLength = valueEnd - valueStart;
        for (let i = 0; i < valueLength; i++) LAST_VALUE[i] = text.charCodeAt(valueStart + i);
        lastQuote = q2;
        lastValueSensitivity = sensitivity;
        lastSpanStart = -1;
        if (judgedSpan(text, valueStart, valueEnd, sensitivity, true)) {
          out.add(spanStart, spanEnd, "config-directive");
          lastSpanStart = spanStart - valueStart;
          lastSpanEnd = spanEnd - valueStart;
        }
      }
    }
    from = valueEnd + 1;
  }
};
export const detectQuotedPairs = detector(scanQuotedPairs);
