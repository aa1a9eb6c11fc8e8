/**
 * Error messages meant for people (stderr, logs, check runs): an error and its causes, in plain
 * words, never a stack, and with anything that looks like a credential cut out — a library's
 * message may quote a header or a URL it was given.
 */
import { findSecrets } from "./mask/text-scanner.js";
import { escapeControls } from "./terminal-text.js";

const MAX_DEPTH = 4;
/** Default bound: a log line or a check run. The CLI passes more, so a long list of problems survives. */
const MAX_CHARS = 1_000;
/** Bound for errors a person reads on a terminal (a policy with many problems lists them all). */
export const CLI_ERROR_CHARS = 100_000;
/** GitHub App installation tokens and `Authorization` header forms the text scanner may not know. */
const HEADER_TOKEN = /\b(gh[pousr]_[A-Za-z0-9]{20,}|v1\.[0-9a-f]{40}|Bearer\s+\S+|token\s+\S+)/gi;

/**
 * `METHOD /path` of the HTTP request an error is about (Octokit's RequestError carries it), so a
 * failure says which call failed, not only "Server Error". The path only: a query string or a host
 * adds nothing a reader needs and may carry parameters that should not be repeated.
 */
function requestOf(error: Error): string | undefined {
  const request = (error as { request?: { method?: unknown; url?: unknown } }).request;
  if (typeof request?.method !== "string" || typeof request.url !== "string") return undefined;
  let path: string;
  try {
    path = new URL(request.url, "http://host.invalid").pathname;
  } catch {
    return undefined;
  }
  return `${request.method.toUpperCase()} ${decodeURIComponentSafe(path)}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `message: cause message: …` (at most four levels, `maxChars` characters), credentials redacted. */
export function describeError(error: unknown, maxChars = MAX_CHARS): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (current instanceof Error) {
      const status = (current as { status?: unknown }).status;
      const request = requestOf(current);
      const message =
        typeof status === "number"
          ? `${current.message} (HTTP ${status}${request === undefined ? "" : `, ${request}`})`
          : current.message;
      // A wrapper that already quotes its cause (`side: cause message`) need not repeat it.
      if (!parts.some((p) => p.endsWith(message))) parts.push(message);
      current = current.cause;
      if (current === undefined || current === null) break;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redact(parts.filter((p) => p !== "").join(": "), maxChars);
}

/** Replaces every credential-looking span with `[redacted]`, then bounds the length. */
export function redact(text: string, maxChars = MAX_CHARS): string {
  // Scan a bounded prefix: an enormous message must not make error reporting slow.
  const bounded = text.length > 4 * maxChars ? text.slice(0, 4 * maxChars) : text;
  const out: string[] = [];
  let at = 0;
  for (const span of findSecrets(bounded)) {
    out.push(bounded.slice(at, span.start), "[redacted]");
    at = span.end;
  }
  out.push(bounded.slice(at));
  // A message may quote hostile input: no terminal escapes, no bidi overrides.
  const masked = escapeControls(out.join("").replace(HEADER_TOKEN, "[redacted]"));
  return masked.length > maxChars ? `${masked.slice(0, maxChars - 1)}…` : masked;
}
