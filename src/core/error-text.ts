/**
 * Error messages meant for people (stderr, logs, check runs): an error and its causes, in plain
 * words, never a stack, and with anything that looks like a credential cut out — a library's
 * message may quote a header or a URL it was given.
 */
import { findSecrets } from "./mask/text-scanner.js";

const MAX_DEPTH = 4;
const MAX_CHARS = 1_000;
/** GitHub App installation tokens and `Authorization` header forms the text scanner may not know. */
const HEADER_TOKEN = /\b(gh[pousr]_[A-Za-z0-9]{20,}|v1\.[0-9a-f]{40}|Bearer\s+\S+|token\s+\S+)/gi;

/** `message: cause message: …` (at most four levels, 1,000 characters), credentials redacted. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (current instanceof Error) {
      const status = (current as { status?: unknown }).status;
      const message = typeof status === "number" ? `${current.message} (HTTP ${status})` : current.message;
      // A wrapper that already quotes its cause (`side: cause message`) need not repeat it.
      if (!parts.some((p) => p.endsWith(message))) parts.push(message);
      current = current.cause;
      if (current === undefined || current === null) break;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redact(parts.filter((p) => p !== "").join(": "));
}

/** Replaces every credential-looking span with `[redacted]`, then bounds the length. */
export function redact(text: string): string {
  // Scan a bounded prefix: an enormous message must not make error reporting slow.
  const bounded = text.length > 4 * MAX_CHARS ? text.slice(0, 4 * MAX_CHARS) : text;
  const out: string[] = [];
  let at = 0;
  for (const span of findSecrets(bounded)) {
    out.push(bounded.slice(at, span.start), "[redacted]");
    at = span.end;
  }
  out.push(bounded.slice(at));
  const masked = out.join("").replace(HEADER_TOKEN, "[redacted]");
  return masked.length > MAX_CHARS ? `${masked.slice(0, MAX_CHARS - 1)}…` : masked;
}
