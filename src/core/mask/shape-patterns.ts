/**
 * Credentials recognisable by a shape other than a prefix: webhook URLs whose path is the secret,
 * signed-URL query parameters, password hashes (htpasswd, crypt), and tokens with a fixed infix
 * (Terraform Cloud `.atlasv1.`, Azure AD client secrets `…8Q~…`, Telegram bot tokens `…:AA…`).
 * Every search is an indexOf of a literal plus bounded look-arounds.
 */
import { looksRandom } from "./randomness.js";
import type { Detector, Span } from "./span.js";
import { isAlnum, isSpace } from "./span.js";

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

/** Ends a URL: whitespace, quotes, brackets, `?`, `#`. */
function endsUrl(c: number): boolean {
  return (
    isSpace(c) ||
    c === 34 ||
    c === 39 ||
    c === 96 ||
    c === 60 ||
    c === 62 ||
    c === 41 ||
    c === 93 ||
    c === 63 ||
    c === 35 ||
    c === 44 ||
    c === 59
  );
}

const MAX_URL = 2048;

/** The path after a webhook marker, up to the end of the URL (query excluded). */
export const detectWebhookUrls: Detector = (text) => {
  const out: Span[] = [];
  for (const marker of WEBHOOK_MARKERS) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(marker, from);
      if (at < 0) break;
      const start = at + marker.length;
      let end = start;
      const limit = Math.min(text.length, start + MAX_URL);
      while (end < limit && !endsUrl(text.charCodeAt(end))) end++;
      // `/hooks/` on any host: only when what follows looks random (a token), not `/hooks/pre-commit`.
      const generic = marker === "/hooks/";
      if (end - start >= 8 && (!generic || looksRandom(text, start, end, 16))) {
        out.push({ start, end, kind: "webhook-url" });
      }
      from = Math.max(end, at + 1);
    }
  }
  return out;
};

/** Query parameters that carry a credential in signed or authenticated URLs. */
const QUERY_SECRETS = new Set([
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
]);

/** `?sig=…`, `&token=…`: the parameter value, up to `&`, `#` or the end of the URL. */
export const detectQuerySecrets: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const eq = text.indexOf("=", from);
    if (eq < 0) break;
    from = eq + 1;
    // The name runs back to `?` or `&` (bounded).
    let s = eq;
    while (s > 0 && eq - s < 32 && !isSeparator(text.charCodeAt(s - 1)) && !isSpace(text.charCodeAt(s - 1)))
      s--;
    if (s === 0 || !isSeparator(text.charCodeAt(s - 1))) continue;
    // `&amp;` in HTML and XML attribute values.
    let name = text.slice(s, eq).toLowerCase();
    if (name.startsWith("amp;")) name = name.slice(4);
    if (!QUERY_SECRETS.has(name)) continue;
    let end = eq + 1;
    while (end < text.length && end - eq < MAX_URL && !endsQueryValue(text.charCodeAt(end))) end++;
    // `key=value` words are common: short plain values (`token=abc`, `code=200`) stay.
    if (end - eq - 1 >= 8) out.push({ start: eq + 1, end, kind: "url-query-secret" });
    from = end;
  }
  return out;
};

function isSeparator(c: number): boolean {
  return c === 63 || c === 38; // ? &
}

function endsQueryValue(c: number): boolean {
  return c === 38 || c === 35 || isSpace(c) || c === 34 || c === 39 || c === 60 || c === 62 || c === 96;
}

/** Password hashes: `$2y$10$…` (bcrypt), `$apr1$…$…`, `$1$`, `$5$`, `$6$`, `$argon2id$…`, `{SHA}…`, `{SSHA}…`. */
export const detectPasswordHashes: Detector = (text) => {
  const out: Span[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf("$", from);
    if (at < 0) break;
    from = at + 1;
    const id = hashId(text, at);
    if (id === 0) continue;
    let end = at + id;
    while (end < text.length && isHashChar(text.charCodeAt(end))) end++;
    if (end - at >= 20) {
      out.push({ start: at, end, kind: "password-hash" });
      from = end;
    }
  }
  for (const scheme of ["{SHA}", "{SSHA}", "{SHA256}", "{SSHA256}", "{SSHA512}", "{PBKDF2}", "{CRYPT}"]) {
    let at = text.indexOf(scheme);
    while (at >= 0) {
      let end = at + scheme.length;
      while (end < text.length && isHashChar(text.charCodeAt(end))) end++;
      if (end - at - scheme.length >= 16) out.push({ start: at, end, kind: "password-hash" });
      at = text.indexOf(scheme, Math.max(end, at + 1));
    }
  }
  return out;
};

const HASH_IDS = [
  "$2a$",
  "$2b$",
  "$2x$",
  "$2y$",
  "$apr1$",
  "$1$",
  "$5$",
  "$6$",
  "$argon2id$",
  "$argon2i$",
  "$argon2d$",
  "$scrypt$",
  "$y$",
  "$7$",
  "$pbkdf2-sha256$",
  "$pbkdf2-sha512$",
];

/** Length of the hash identifier at `at` (`$2y$`), or 0. */
function hashId(text: string, at: number): number {
  for (const id of HASH_IDS) if (text.startsWith(id, at)) return id.length;
  return 0;
}

function isHashChar(c: number): boolean {
  return (
    isAlnum(c) || c === 46 || c === 47 || c === 36 || c === 43 || c === 61 || c === 44 || c === 45 || c === 95
  );
}

function isTokenChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45;
}

/** Tokens with a fixed infix: `<14>.atlasv1.<60+>`, `<3>8Q~<31+>`, `<8-10 digits>:AA<33>`. */
export const detectInfixTokens: Detector = (text) => {
  const out: Span[] = [];
  const around = (
    infix: string,
    minBefore: number,
    minAfter: number,
    extra: (c: number) => boolean,
    ok: (start: number, at: number) => boolean,
  ) => {
    let from = 0;
    for (;;) {
      const at = text.indexOf(infix, from);
      if (at < 0) break;
      let start = at;
      while (
        start > 0 &&
        at - start < 64 &&
        (isTokenChar(text.charCodeAt(start - 1)) || extra(text.charCodeAt(start - 1)))
      )
        start--;
      let end = at + infix.length;
      while (
        end < text.length &&
        end - at < 512 &&
        (isTokenChar(text.charCodeAt(end)) || extra(text.charCodeAt(end)))
      )
        end++;
      if (at - start >= minBefore && end - at - infix.length >= minAfter && ok(start, at)) {
        out.push({ start, end, kind: "infix-token" });
        from = end;
      } else from = Math.max(end, at + infix.length); // the rest of this run was read: skip it
    }
  };
  const none = () => false;
  around(".atlasv1.", 14, 60, none, () => true);
  // Azure AD client secrets: three characters, a digit, `Q~`, then 31–34 of [A-Za-z0-9_~.-].
  const azure = (c: number) => c === 126 || c === 46;
  around("Q~", 4, 31, azure, (_s, at) => {
    const d = text.charCodeAt(at - 1);
    return d >= 48 && d <= 57;
  });
  // Telegram bot tokens: the bot id (digits), `:AA`, 33 base64url characters.
  around(":AA", 8, 33, none, (start, at) => {
    for (let i = start; i < at; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  });
  return out;
};
