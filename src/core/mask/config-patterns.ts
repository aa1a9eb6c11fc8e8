/**
 * Secrets in configuration syntaxes without `=` or `:` between name and value: directives
 * (`requirepass X`, `HTTP_Passwd X`, `proxy_set_header X-Api-Key "X"`), `.netrc` (`password X`),
 * `.pgpass` lines, pgbouncer userlists, XML elements and attributes (`<password>X</password>`,
 * `<add key="StorageKey" value="X"/>`) and quoted call arguments (`define('AUTH_KEY', 'X')`,
 * `setRequestHeader("X-Api-Key", "X")`). Line-by-line or indexOf-driven, each bounded.
 */
import { firstWord } from "./shell-patterns.js";
import { judge } from "./value-judge.js";
import { nameSensitivity } from "./sensitive-names.js";
import type { Sensitivity } from "./sensitive-names.js";
import type { Detector, Span } from "./span.js";
import { isAlnum, isSpace } from "./span.js";

const MAX_VALUE = 4096;
const MAX_NAME = 64;

function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45 || c === 46;
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

function pushJudged(
  out: Span[],
  text: string,
  name: string,
  start: number,
  end: number,
  sensitivity?: Sensitivity,
): void {
  while (end > start && (text.charCodeAt(end - 1) === 59 || isSpace(text.charCodeAt(end - 1)))) end--;
  if (end <= start || end - start > MAX_VALUE) return;
  let s = start;
  let e = end;
  const q = text.charCodeAt(s);
  if ((q === 34 || q === 39) && text.charCodeAt(e - 1) === q && e - s >= 2) {
    s++;
    e--;
  }
  if (sensitivity === "password" && PROSE.has(text.slice(s, e).toLowerCase())) return;
  if (e > s && judge(name, text.slice(s, e), sensitivity ?? nameSensitivity(name)) === "mask") {
    out.push({ start: s, end: e, kind: "config-directive" });
  }
}

/** `NAME VALUE` lines (directives), `password X` anywhere on a line, `.pgpass` and userlist lines. */
export const detectDirectives: Detector = (text) => {
  const out: Span[] = [];
  let at = 0;
  while (at < text.length) {
    const end = lineEnd(text, at);
    directiveLine(text, at, end, out);
    at = end + 1;
  }
  return out;
};

function directiveLine(text: string, start: number, end: number, out: Span[]): void {
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  // `.pgpass`: host:port:database:user:password.
  if (pgpass(text, i, end, out)) return;
  // pgbouncer userlist: "user" "secret".
  if (text.charCodeAt(i) === 34) {
    const close = text.indexOf('"', i + 1);
    if (close > 0 && close < end && text.charCodeAt(close + 1) === 32 && text.charCodeAt(close + 2) === 34) {
      const last = text.lastIndexOf('"', end);
      if (last > close + 2 && end - last <= 2)
        out.push({ start: close + 3, end: last, kind: "config-directive" });
      return;
    }
  }
  // The words of the line, bounded: a directive is short.
  const words: { start: number; end: number }[] = [];
  let w = i;
  while (w < end && words.length < 16) {
    while (w < end && (text.charCodeAt(w) === 32 || text.charCodeAt(w) === 9)) w++;
    if (w >= end) break;
    const word = firstWord(text, w);
    if (word === undefined) break;
    words.push(word);
    w = word.end + (text.charCodeAt(word.end) === 34 || text.charCodeAt(word.end) === 39 ? 1 : 0);
  }
  const first = words[0];
  if (first === undefined || first.end - first.start > MAX_NAME) return;
  const name = text.slice(first.start, first.end);
  // Two words: a directive when the name is a password word or a compound (`HTTP_Passwd`, `api_key`);
  // `Secret prod/db` or `Token expired` in a sentence is not one.
  if (
    words.length === 2 &&
    isDirectiveName(text, first) &&
    (/[_-]/.test(name) || nameSensitivity(name) === "password")
  ) {
    const value = words[1] as { start: number; end: number };
    if (PROSE.has(text.slice(value.start, value.end).toLowerCase())) return;
    pushJudged(out, text, name, value.start, Math.min(end, quotedEnd(text, value)));
    return;
  }
  if (words.length >= 3 && NAMED_DIRECTIVES.has(name.toLowerCase())) {
    const header = words[1] as { start: number; end: number };
    const value = words[2] as { start: number; end: number };
    const headerName = text.slice(header.start, header.end).replace(/:$/, "");
    // A header or variable set by a directive is there to be sent: a `…-Key` header holds a key.
    const level = nameSensitivity(headerName);
    pushJudged(
      out,
      text,
      headerName,
      value.start,
      Math.min(end, quotedEnd(text, words[words.length - 1] as { start: number; end: number })),
      level === "weak" ? "secret" : level,
    );
    return;
  }
  // `machine h login u password X`, `user admin insecure-password X`: a password word mid-line.
  for (let k = 0; k + 1 < words.length; k++) {
    const word = words[k] as { start: number; end: number };
    const lower = text.slice(word.start, word.end).toLowerCase();
    if (
      lower !== "password" &&
      lower !== "passwd" &&
      lower !== "insecure-password" &&
      lower !== "requirepass" &&
      lower !== "masterauth"
    )
      continue;
    const value = words[k + 1] as { start: number; end: number };
    const v = text.slice(value.start, value.end);
    if (PROSE.has(v.toLowerCase()) || v.endsWith(":")) continue;
    pushJudged(out, text, "password", value.start, value.end, "password");
    k++;
  }
}

function quotedEnd(text: string, word: { start: number; end: number }): number {
  const c = text.charCodeAt(word.end);
  return c === 34 || c === 39 ? word.end + 1 : word.end;
}

/** A directive name: letters, digits, `_`, `-`, `.` only (not a prose word followed by punctuation). */
function isDirectiveName(text: string, word: { start: number; end: number }): boolean {
  for (let i = word.start; i < word.end; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

function pgpass(text: string, start: number, end: number, out: Span[]): boolean {
  if (end - start > 1024) return false;
  const line = text.slice(start, end).trimEnd();
  const parts = line.split(":");
  if (parts.length !== 5 || !/^(?:\d{1,5}|\*)$/.test(parts[1] as string) || /\s/.test(line)) return false;
  const password = parts[4] as string;
  if (password === "" || password === "*") return false;
  out.push({
    start: start + line.length - password.length,
    end: start + line.length,
    kind: "config-directive",
  });
  return true;
}

/** `<password>X</password>` and other elements whose name says secret. */
export const detectMarkupSecrets: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const close = text.indexOf("</", from);
    if (close < 0) break;
    from = close + 2;
    let n = close + 2;
    while (n < text.length && n - close < MAX_NAME && isNameChar(text.charCodeAt(n))) n++;
    if (text.charCodeAt(n) !== 62) continue;
    const name = text.slice(close + 2, n);
    // The previous `>` is at most the previous closing tag's: amortised linear.
    const open = text.lastIndexOf(">", close);
    if (open < 0 || close - open > MAX_VALUE) continue;
    let tagStart = open;
    while (tagStart > 0 && open - tagStart < 1024 && text.charCodeAt(tagStart) !== 60) tagStart--;
    if (!text.startsWith(`<${name}`, tagStart) || !/[\s>]/.test(text.charAt(tagStart + name.length + 1)))
      continue;
    if (open > close - 1) continue;
    pushJudged(out, text, name, open + 1, close);
  }
  // `key="Name" value="X"` / `name="Name" value="X"` in one tag.
  from = 0;
  // The last `<` before the current position, tracked forward (one pass).
  let scanned = 0;
  let lastTag = -1;
  for (;;) {
    const at = text.indexOf('value="', from);
    if (at < 0) break;
    from = at + 7;
    const endQuote = text.indexOf('"', at + 7);
    if (endQuote < 0 || endQuote - at > MAX_VALUE) continue;
    for (; scanned < at; scanned++) if (text.charCodeAt(scanned) === 60) lastTag = scanned;
    const tag = lastTag;
    if (tag < 0 || at - tag > 512) continue;
    const attrs = text.slice(tag, at);
    const m = /\b(?:key|name)="([^"]{1,64})"/.exec(attrs);
    if (m === null) continue;
    pushJudged(out, text, m[1] as string, at + 7, endQuote);
    from = endQuote + 1;
  }
  return out;
};

/** `'NAME', 'VALUE'` / `"NAME", "VALUE"`: call arguments such as define() and setRequestHeader(). */
export const detectQuotedPairs: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const comma = text.indexOf(",", from);
    if (comma < 0) break;
    from = comma + 1;
    let b = comma;
    while (b > 0 && comma - b < 4 && text.charCodeAt(b - 1) === 32) b--;
    const q = text.charCodeAt(b - 1);
    if (q !== 34 && q !== 39) continue;
    // The previous quote is at most the previous pair's: amortised linear.
    const nameStart = text.lastIndexOf(String.fromCharCode(q), b - 2);
    if (nameStart < 0 || b - 1 - nameStart > MAX_NAME + 1) continue;
    const name = text.slice(nameStart + 1, b - 1);
    if (name === "" || !/^[A-Za-z0-9_.-]+$/.test(name)) continue;
    let a = comma + 1;
    while (a < text.length && a - comma < 4 && text.charCodeAt(a) === 32) a++;
    const q2 = text.charCodeAt(a);
    if (q2 !== 34 && q2 !== 39) continue;
    const valueEnd = text.indexOf(String.fromCharCode(q2), a + 1);
    if (valueEnd < 0 || valueEnd - a > MAX_VALUE) continue;
    const sensitivity = nameSensitivity(name);
    if (sensitivity !== "none") pushJudged(out, text, name, a + 1, valueEnd, sensitivity);
    from = valueEnd + 1;
  }
  return out;
};
