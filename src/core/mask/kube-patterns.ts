/**
 * Kubernetes' own credential shapes that carry no prefix. A bootstrap token
 * (`kubeadm join --token abcdef.0123456789abcdef`, a kubeadm config's `token:`) is `<id>.<secret>`:
 * 6 and 16 characters of `[a-z0-9]`. Under a sensitive name it is masked anyway; this finds it
 * under any name, in free text and in commands.
 */
import { CHAR, DIGIT, LOWER } from "./char-table.js";
import type { Scanner } from "./span.js";
import { detector } from "./span.js";

const ID_LENGTH = 6;
const SECRET_LENGTH = 16;

/** Whether `c` would continue a token or a host name (`[A-Za-z0-9._-]`): then it is not one alone. */
function continues(c: number): boolean {
  return (
    ((CHAR[c] as number) & (DIGIT | LOWER)) !== 0 || (c >= 65 && c <= 90) || c === 46 || c === 45 || c === 95
  );
}

/** Whether `text[start, end)` is `[a-z0-9]` only; `digits` also asks for at least one digit. */
function lowerAlnum(text: string, start: number, end: number, digits: boolean): boolean {
  let digit = !digits;
  for (let i = start; i < end; i++) {
    const f = CHAR[text.charCodeAt(i)] as number;
    if ((f & (DIGIT | LOWER)) === 0) return false;
    if ((f & DIGIT) !== 0) digit = true;
  }
  return digit;
}

/**
 * Bootstrap tokens: a `.` is a candidate, checked in constant time (linear). The secret half
 * must hold a digit, as all but 1 in 200 random ones do: host names (`images.elasticsearchs`) do not.
 */
export const scanBootstrapTokens: Scanner = (text, out) => {
  let from = 0;
  for (;;) {
    const dot = text.indexOf(".", from);
    if (dot < 0) return;
    // The next token's id cannot hold this dot: no candidate within the next 6 characters.
    from = dot + 1 + ID_LENGTH;
    const start = dot - ID_LENGTH;
    const end = dot + 1 + SECRET_LENGTH;
    if (start < 0 || end > text.length) continue;
    if (continues(text.charCodeAt(end)) || (start > 0 && continues(text.charCodeAt(start - 1)))) continue;
    if (!lowerAlnum(text, start, dot, false) || !lowerAlnum(text, dot + 1, end, true)) continue;
    out.add(start, end, "bootstrap-token");
    from = end;
  }
};
export const detectBootstrapTokens = detector(scanBootstrapTokens);
