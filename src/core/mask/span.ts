/** A region of text a detector wants masked: `[start, end)` in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
  /** Which detector found it (for tests and docs; not rendered). */
  kind: DetectorKind;
}

export type DetectorKind =
  | "private-key"
  | "aws-access-key-id"
  | "github-token"
  | "slack-token"
  | "jwt"
  | "url-password"
  | "bearer-token"
  | "sensitive-pair"
  | "sensitive-env"
  | "known-token"
  | "webhook-url"
  | "url-query-secret"
  | "password-hash"
  | "infix-token"
  | "config-directive"
  | "shell-secret"
  | "quoted-pair"
  | "markup-secret"
  | "encoded-secret"
  | "high-entropy"
  | "quoted-rejected-value";

/** A detector scans text once (linear time, no backtracking) and returns spans, in any order. */
export type Detector = (text: string) => Span[];

export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isUpperOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}
