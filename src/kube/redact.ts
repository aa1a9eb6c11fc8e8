/**
 * Removes credentials from text that may end up in an error message or a log line: a server or
 * proxy that echoes a request (or a library error that quotes headers or a presigned URL) must
 * not carry a bearer token out of the process.
 */
const REPLACEMENTS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]"],
  [/k8s-aws-v1\.[A-Za-z0-9_-]+/g, "k8s-aws-v1.[redacted]"],
  [/(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"']+/gi, "$1[redacted]"],
  // JSON web tokens (service account tokens): header.payload.signature
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "[redacted token]"],
];

export function redactCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  return out;
}
