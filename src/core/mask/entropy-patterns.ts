/**
 * The fallback for credentials no rule names: a long random-looking token is masked wherever it is,
 * unless its shape is known to be benign (hex digests and git SHAs, UUIDs, generated Kubernetes
 * names, certificate and SSH public key bodies). Plausible base64 is decoded (bounded) and what it
 * holds is scanned: an encoded PEM key, service-account JSON or dockerconfigjson is masked whole,
 * an encoded certificate or plain text stays; random bytes are key material and are masked.
 */
import { isHex, looksRandom } from "./randomness.js";
import type { Span } from "./span.js";
import { judge } from "./value-judge.js";
import { isAlnum } from "./span.js";

/** Shortest token the fallback considers (shorter random strings are too often identifiers). */
export const MIN_RANDOM_TOKEN = 20;
/** Longest base64 decoded to look inside (bytes of input); longer runs are judged by shape only. */
const MAX_DECODE = 64 * 1024;
/** How deep encodings are unwrapped (base64 of base64 of a key). */
export const MAX_DECODE_DEPTH = 2;

type Scan = (text: string, depth: number) => Span[];

/** Characters of a token run; `=` only as trailing base64 padding (so `NAME=value` splits). */
function isRunChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 47 || c === 95 || c === 45 || c === 46 || c === 126;
}

/** Hex lengths of digests (MD5 excluded: 32 hex is also the shape of many API keys). */
const DIGEST_HEX_LENGTHS = new Set([40, 56, 64, 96, 128]);
/** Base64 openings of SSH public key blobs (`ssh-rsa AAAAB3NzaC1yc2E…`). */
const SSH_PUBLIC_BLOBS = ["AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh", "AAAAGnNrLXNzaC1"];

function isUuid(s: string): boolean {
  return s.length === 36 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** `kube-proxy-7f9c8d6b5-x2kq9`: lower-case parts of at most 10 characters joined by `-`. */
function isGeneratedName(s: string): boolean {
  if (!s.includes("-")) return false;
  for (const part of s.split("-")) if (part.length > 10 || !/^[a-z0-9]*$/.test(part)) return false;
  return true;
}

/** A segment of a run that is random and of no benign shape. */
function randomSegment(s: string): boolean {
  if (s.length < MIN_RANDOM_TOKEN) return false;
  if (isHex(s, 0, s.length)) {
    // Digests and SHAs stay; other hex of 32+ characters (API keys: Datadog, Mailchimp…) is a key.
    if (DIGEST_HEX_LENGTHS.has(s.length)) return false;
    if (s.length >= 32) return /[0-9]/.test(s) && /[a-f]/i.test(s);
  }
  if (isUuid(s) || isGeneratedName(s)) return false;
  return looksRandom(s, 0, s.length, MIN_RANDOM_TOKEN);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** Text a person or a program wrote (letters, digits, whitespace, common punctuation), not random bytes. */
function isText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let plain = 0;
  for (const b of bytes) {
    const alnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
    if (alnum || b === 32 || b === 10 || b === 13 || b === 9 || PUNCTUATION.has(b)) plain++;
    else if (b < 32 || b === 127) return false;
  }
  return plain >= bytes.length * 0.9;
}

/** `- _ . : / { } " , = + @` and friends: what configuration text is made of. */
const PUNCTUATION = new Set([...'-_.:/{}",=+@[]()#'].map((c) => c.charCodeAt(0)));

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
export function detectRandomTokens(text: string, depth: number, scan: Scan): Span[] {
  const out: Span[] = [];
  const skip = publicBlocks(text);
  let block = 0;
  let i = 0;
  while (i < text.length) {
    if (!isRunChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isRunChar(text.charCodeAt(i))) i++;
    while (
      i < text.length &&
      i - start >= 4 &&
      text.charCodeAt(i) === 61 &&
      !isRunChar(text.charCodeAt(i + 1))
    )
      i++;
    let end = i;
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
    if (end - start < MIN_RANDOM_TOKEN) continue;
    while (block < skip.length && (skip[block] as [number, number])[1] < start) block++;
    const inPublic = block < skip.length && (skip[block] as [number, number])[0] <= start;
    if (inPublic) continue;
    if (secretRun(text.slice(start, end), depth, scan)) out.push({ start, end, kind: "high-entropy" });
  }
  return out;
}

/** Hex with a short tail (`<32 hex>-us12`, a Mailchimp key): hex, not base64. */
function mostlyHex(run: string): boolean {
  let hex = 0;
  for (let i = 0; i < run.length; i++) if (isHex(run, i, i + 1)) hex++;
  return hex >= run.length * 0.85;
}

/** Public tokens: publishable keys are meant to be shown. */
const PUBLIC_PREFIXES = ["pk_live_", "pk_test_", "pk.eyJ", "FLWPUBK", "pk-lf-"];

/** Whole-run shapes that are never secrets: digests, SHAs, UUIDs, generated names. */
function benignRun(run: string): boolean {
  return (
    (isHex(run, 0, run.length) && DIGEST_HEX_LENGTHS.has(run.length)) ||
    isUuid(run) ||
    isGeneratedName(run) ||
    SSH_PUBLIC_BLOBS.some((p) => run.startsWith(p)) ||
    PUBLIC_PREFIXES.some((p) => run.startsWith(p))
  );
}

function secretRun(run: string, depth: number, scan: Scan): boolean {
  if (benignRun(run)) return false;
  // Hex is hex, not base64 (decoded, hex digits often read as printable bytes).
  const encoded = run.length >= 24 && !mostlyHex(run) && (BASE64.test(run) || BASE64URL.test(run));
  if (encoded && run.length <= MAX_DECODE && depth < MAX_DECODE_DEPTH) {
    const bytes = Buffer.from(run, BASE64.test(run) ? "base64" : "base64url");
    if (isText(bytes) && /[\s{}[\]:=,"]/.test(bytes.toString("latin1"))) {
      // Encoded text: a secret only if it holds one (an encoded certificate or config stays visible).
      return scan(bytes.toString("utf8"), depth + 1).length > 0;
    }
  }
  const segments = run.split(/[./]/);
  if (segments.some(randomSegment)) return true;
  // Standard base64 of random bytes (a key): `/` and `+` cut it into short segments.
  // Both cases are required: a URL path with a hex id (`/repos/a/b/trees/9f…`) is base64-shaped too.
  if (!encoded || run.length < 32 || !/[A-Z]/.test(run) || !/[a-z]/.test(run)) return false;
  const bare = run.replace(/[+/=]/g, "");
  return looksRandom(bare, 0, bare.length, 24);
}

/** `Invalid value: "X"` / `Duplicate value: "X"` in API server messages: the quoted value they reject. */
export function detectRejectedValues(text: string): Span[] {
  const out: Span[] = [];
  for (const marker of ['Invalid value: "', 'Duplicate value: "', "invalid value: '", 'Forbidden value: "']) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(marker, from);
      if (at < 0) break;
      const start = at + marker.length;
      const quote = marker.charCodeAt(marker.length - 1);
      let end = start;
      // A Go %q string: backslash escapes, ends at the unescaped quote (bounded).
      while (
        end < text.length &&
        end - start < 65536 &&
        text.charCodeAt(end) !== quote &&
        text.charCodeAt(end) !== 10
      ) {
        end += text.charCodeAt(end) === 92 ? 2 : 1;
      }
      end = Math.min(end, text.length);
      // The rejected value is whatever was in the field: masked unless it reads as a name, URL, number…
      if (
        end > start &&
        judge("value", text.slice(start, Math.min(end, start + 4096)), "secret") === "mask"
      ) {
        out.push({ start, end, kind: "quoted-rejected-value" });
      }
      from = Math.max(end, start);
    }
  }
  return out;
}
