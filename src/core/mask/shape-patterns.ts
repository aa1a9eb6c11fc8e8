/**
 * Credentials recognisable by a shape other than a prefix: webhook URLs whose path is the secret,
 * signed-URL query parameters, password hashes (htpasswd, crypt), and tokens with a fixed infix
 * (Terraform Cloud `.atlasv1.`, Azure AD client secrets `…8Q~…`, Telegram bot tokens `…:AA…`).
 * Every search is an indexOf of a literal plus bounded look-arounds.
 */
import { looksRandom } from "./randomness.js";
import { type Scanner, detector } from "./span.js";

/** Host and path prefixes after which the rest of the URL path is the credential. */
const WEBHOOK_MARKERS = [
  "hooks.slack.com/services/",
  "hooks.slack.com/workflows/",
  "hooks.slack.com/triggers/",
  "discord.com/api/webhooks/",
  "discordapp.com/api/webhooks/",
  "canary.discord.com/api/webhooks/",
  ".webhook.office.com/webhookb2/",
  "outlook.office.com/webhook/",
  "hooks.zapier.com/hooks/catch/",
  "api.telegram.org/bot",
  "maker.ifttt.com/trigger/",
  "events.pagerduty.com/integration/",
  "hooks.mattermost.com/",
  "/hooks/", // Mattermost, Rocket.Chat and Gitea-style incoming webhooks on any host
];

/** Character flags for the scans below (code units < 128). */
const FLAGS = new Uint8Array(128);
/** Ends a query value: `&`, `#`, whitespace, quotes, angle brackets. */
const QUERY_END = 1;
/** Letters, digits, `_`, `-`: the body of an infix token. */
const INFIX_CHAR = 2;
function mark(chars: string, bit: number): void {
  for (const c of chars) FLAGS[c.charCodeAt(0)] = (FLAGS[c.charCodeAt(0)] as number) | bit;
}
mark("&# \t\n\r\u000b\u000c\"'<>`", QUERY_END);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[0-9A-Za-z]/.test(ch);
  if (alnum || ch === "_" || ch === "-") mark(ch, INFIX_CHAR);
}

function flagged(c: number, bit: number): boolean {
  return c < 128 && ((FLAGS[c] as number) & bit) !== 0;
}

const MAX_URL = 2048;

/** The first `a` or `b` in `text` (-1: neither): two literal searches, each cheap even on long text. */
function firstOf(text: string, a: string, b: string): number {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}

/**
 * All markers but three hold `hook`: each is found from its first `hook` (one native search for it),
 * grouped by the character after `hook`, then told apart by one probe character (the first where it
 * differs from the others of its group) before the whole marker is compared.
 */
interface HookMarker {
  marker: string;
  index: number;
  offset: number;
  /** Where the probe is, from the `hook`, and what it must be. */
  probe: number;
  probeChar: number;
}
const HOOK_BUCKETS: HookMarker[][] = Array.from({ length: 128 }, () => []);
const OTHER_MARKERS: { marker: string; index: number }[] = [];
WEBHOOK_MARKERS.forEach((marker, index) => {
  const offset = marker.indexOf("hook");
  if (offset < 0 || offset + 4 >= marker.length) OTHER_MARKERS.push({ marker, index });
  else (HOOK_BUCKETS[marker.charCodeAt(offset + 4)] as HookMarker[]).push({ marker, index, offset, probe: 4, probeChar: 0 }); // prettier-ignore
});
for (const bucket of HOOK_BUCKETS) {
  for (const m of bucket) {
    const charAt = (n: HookMarker, rel: number) => (n.offset + rel < n.marker.length ? n.marker.charCodeAt(n.offset + rel) : -1); // prettier-ignore
    for (let rel = 4; m.offset + rel < m.marker.length; rel++) {
      m.probe = rel;
      if (bucket.every((n) => n === m || charAt(n, rel) !== charAt(m, rel))) break;
    }
    m.probeChar = charAt(m, m.probe);
  }
}

/** `hook`: a literal (a regex skips on its last characters, where indexOf stops at every `h`). */
const HOOK_RE = /hook/g;

/** The rest of a URL (at most MAX_URL characters): one class with a bounded count, sticky. */
const URL_REST_RE = /[^ \t\n\r\v\f"'`<>)\],;?#]{0,2048}/y;

/** The path after a webhook marker, up to the end of the URL (query excluded). */
export const scanWebhookUrls: Scanner = (text, out) => {
  // Where each marker's search resumes: an occurrence inside the URL of the last one is part of it.
  const from = new Array<number>(WEBHOOK_MARKERS.length).fill(0);
  const found = (marker: string, index: number, at: number) => {
    if (at < (from[index] as number)) return;
    const start = at + marker.length;
    URL_REST_RE.lastIndex = start;
    URL_REST_RE.test(text);
    const end = URL_REST_RE.lastIndex;
    // `/hooks/` on any host: only when what follows looks random (a token), not `/hooks/pre-commit`.
    const generic = marker === "/hooks/";
    if (end - start >= 8 && (!generic || looksRandom(text, start, end, 16))) {
      out.add(start, end, "webhook-url");
    }
    from[index] = Math.max(end, at + 1);
  };
  HOOK_RE.lastIndex = 0;
  while (HOOK_RE.test(text)) {
    const h = HOOK_RE.lastIndex - 4;
    const c = text.charCodeAt(h + 4);
    if (!(c < 128)) continue;
    for (const m of HOOK_BUCKETS[c] as HookMarker[]) {
      const at = h - m.offset;
      // Inside the URL of the last occurrence of this marker: skipped before it is even compared.
      if (text.charCodeAt(h + m.probe) !== m.probeChar || at < (from[m.index] as number)) continue;
      if (at >= 0 && text.startsWith(m.marker, at)) found(m.marker, m.index, at);
    }
  }
  // The others one by one: indexOf of a long literal skips ahead (one regex of their alternatives is
  // tried at every position), and past the URL of the last occurrence (the ones inside are part of it).
  for (const { marker, index } of OTHER_MARKERS) {
    for (
      let at = text.indexOf(marker);
      at >= 0;
      at = text.indexOf(marker, Math.max(at + 1, from[index] as number))
    ) {
      found(marker, index, at);
    }
  }
};
export const detectWebhookUrls = detector(scanWebhookUrls);

/** Query parameters that carry a credential in signed or authenticated URLs. */
const QUERY_SECRETS = [
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-security-token",
  "x-amz-credential",
  "x-goog-signature",
  "x-goog-credential",
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "auth",
  "api_key",
  "apikey",
  "api-key",
  "key",
  "client_secret",
  "secret",
  "password",
  "passwd",
  "pwd",
  "code",
  "private_token",
  "sharedaccesssignature",
  "skoid",
];
/** ASCII `k` or the Kelvin sign, which `toLowerCase` maps to `k` (a case-insensitive regex without `u` does not). */
function kelvin(name: string): string {
  return name.replace(/[-.]/g, "\\$&").replace(/k/g, "[k\u212a]");
}
/**
 * A name of the list after `?` or `&` (or `&amp;`), `=`, then at least 8 value characters: only a
 * span to report leaves the native search. Linear: after `[?&]` every alternative is a literal, and
 * the value part is one class with a fixed count.
 */
const QUERY_RE = new RegExp(
  `[?&](?:amp;)?(?:${QUERY_SECRETS.map(kelvin).join("|")})=[^&# \\t\\n\\r\\v\\f"'<>\`]{8}`,
  "gi",
);

/** `?sig=…`, `&token=…`: the parameter value, up to `&`, `#` or the end of the URL. */
export const scanQuerySecrets: Scanner = (text, out) => {
  // A value starts after an `=` at or past `from` (the end of the last value read).
  let from = 0;
  // Every match starts at a `?` or `&`: start at the first (none: done; a literal search costs far
  // less than the regex's class).
  QUERY_RE.lastIndex = firstOf(text, "?", "&");
  if (QUERY_RE.lastIndex < 0) return;
  while (QUERY_RE.test(text)) {
    // The match ends 8 characters past `=`.
    const eq = QUERY_RE.lastIndex - 9;
    if (eq < from) {
      // Inside the last value (only when it was cut at MAX_URL); a later name starts past this `=`.
      QUERY_RE.lastIndex = eq + 1;
      continue;
    }
    let end = QUERY_RE.lastIndex;
    while (end < text.length && end - eq < MAX_URL && !flagged(text.charCodeAt(end), QUERY_END)) end++;
    out.add(eq + 1, end, "url-query-secret");
    from = end;
    // A name may only cross the end of a value cut at MAX_URL: look back that far, no further.
    QUERY_RE.lastIndex = Math.max(eq + 1, end - 32);
  }
};
export const detectQuerySecrets = detector(scanQuerySecrets);

/** Hash identifiers, each with the hash characters it needs after it to reach 20 in all. */
const HASH_IDS: [id: string, rest: number][] = [
  ["\\$2[abxy]\\$", 16],
  ["\\$apr1\\$", 14],
  ["\\$[1567y]\\$", 17],
  ["\\$argon2id\\$", 10],
  ["\\$argon2[id]\\$", 11],
  ["\\$scrypt\\$", 12],
  ["\\$pbkdf2-sha(?:256|512)\\$", 5],
];
const BRACE_SCHEMES = ["SHA", "SSHA", "SHA256", "SSHA256", "SSHA512", "PBKDF2", "CRYPT"];
const HASH_CLASS = "[0-9A-Za-z./$+=,_-]";
/**
 * A hash long enough to report: an identifier then enough hash characters, or `{SCHEME}` then 16.
 * Only reportable hashes leave the native search (so the match objects are few). Linear: literal
 * alternatives (at most one fits at a position), each followed by one class with a fixed count.
 */
const HASH_RE = new RegExp(
  [
    ...HASH_IDS.map(([id, rest]) => `${id}${HASH_CLASS}{${rest}}`),
    `\\{(?:${BRACE_SCHEMES.join("|")})\\}${HASH_CLASS}{16}`,
  ].join("|"),
  "g",
);

/** The rest of a hash's run (sticky, one class). */
const HASH_REST_RE = new RegExp(`${HASH_CLASS}*`, "y");

/** Password hashes: `$2y$10$…` (bcrypt), `$apr1$…$…`, `$1$`, `$5$`, `$6$`, `$argon2id$…`, `{SHA}…`, `{SSHA}…`. */
export const scanPasswordHashes: Scanner = (text, out) => {
  // Every match starts at a `$` or `{`: start at the first (none: done).
  HASH_RE.lastIndex = firstOf(text, "$", "{");
  if (HASH_RE.lastIndex < 0) return;
  for (let m = HASH_RE.exec(text); m !== null; m = HASH_RE.exec(text)) {
    HASH_REST_RE.lastIndex = HASH_RE.lastIndex;
    HASH_REST_RE.test(text);
    const end = HASH_REST_RE.lastIndex;
    out.add(m.index, end, "password-hash");
    // A `$` hash's run holds no `{`; a `{SCHEME}` hash's run may hold a `$` hash of its own.
    HASH_RE.lastIndex = text.charCodeAt(m.index) === 36 ? end : m.index + 1;
  }
};
export const detectPasswordHashes = detector(scanPasswordHashes);

/**
 * Each infix with the characters it needs after it, as a native search: a literal (Azure's after
 * a digit, checked in JS), then a lookahead of one class with a fixed count, so it is linear and an occurrence
 * with too short a tail never leaves the native search. (Such an occurrence cannot hide a later one: the later one
 * would lengthen its tail.)
 */
const ATLAS_RE = /\.atlasv1\.(?=[A-Za-z0-9_-]{60})/g;
const AZURE_RE = /Q~(?=[A-Za-z0-9_~.-]{31})/g; // the digit before is checked in JS: a class first is tried everywhere
const TELEGRAM_RE = /:AA(?=[A-Za-z0-9_-]{33})/g;

/** Tokens with a fixed infix: `<14>.atlasv1.<60+>`, `<3>8Q~<31+>`, `<8-10 digits>:AA<33>`. */
export const scanInfixTokens: Scanner = (text, out) => {
  const around = (
    re: RegExp,
    /** Whether the match at `at` is an occurrence at all (what the regex cannot cheaply say). */
    found: (at: number) => boolean,
    infix: string,
    minBefore: number,
    minAfter: number,
    extra: (c: number) => boolean,
    ok: (start: number, at: number) => boolean,
  ) => {
    const body = (c: number) => flagged(c, INFIX_CHAR) || extra(c);
    let from = 0;
    // Every match starts at its infix: the first one found by indexOf (cheaper than the regex's
    // scan), except `:AA`, which indexOf would look for at every `:` (a text of `:=` is cheap for the regex).
    re.lastIndex = infix === ":AA" ? 0 : text.indexOf(infix);
    if (re.lastIndex < 0) return;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const at = m.index;
      if (at < from || !found(at)) continue;
      let start = at;
      while (start > 0 && at - start < 64 && body(text.charCodeAt(start - 1))) start--;
      let end = at + infix.length;
      while (end < text.length && end - at < 512 && body(text.charCodeAt(end))) end++;
      if (at - start >= minBefore && end - at - infix.length >= minAfter && ok(start, at)) {
        out.add(start, end, "infix-token");
        from = end;
      } else from = Math.max(end, at + infix.length); // the rest of this run was read: skip it
      re.lastIndex = Math.max(re.lastIndex, from);
    }
  };
  const none = () => false;
  const always = () => true;
  around(ATLAS_RE, always, ".atlasv1.", 14, 60, none, () => true);
  // Azure AD client secrets: three characters, a digit, `Q~`, then 31–34 of [A-Za-z0-9_~.-].
  const azure = (c: number) => c === 126 || c === 46;
  const afterDigit = (at: number) => {
    const d = text.charCodeAt(at - 1);
    return d >= 48 && d <= 57;
  };
  around(AZURE_RE, afterDigit, "Q~", 4, 31, azure, () => true);
  // Telegram bot tokens: the bot id (digits), `:AA`, 33 base64url characters.
  around(TELEGRAM_RE, always, ":AA", 8, 33, none, (start, at) => {
    for (let i = start; i < at; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  });
};
export const detectInfixTokens = detector(scanInfixTokens);
