const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const MAX_VALUE = 120;

function display(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    text = String(value);
  else if (value === null) text = "null";
  else {
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "";
    } catch {
      text = "?";
    }
  }
  return oneLine(text, MAX_VALUE);
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
}

/** Control characters could forge report lines and long values would bury the reason: flatten and cut. */
export function oneLine(text: string, max: number): string {
  let out = "";
  for (const ch of text) {
    out += isControl(ch.codePointAt(0) ?? 0) ? " " : ch;
    if (out.length >= max) return `${out.slice(0, max - 1)}…`;
  }
  return out;
}

/**
 * Replaces `{{name}}` with a value, in one pass: substituted text is never re-scanned, values are
 * flattened to one line and truncated. Unknown names stay as written.
 */
export function interpolate(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    return display(values[name]) ?? whole;
  });
}

/** The first `{{name}}` left unfilled in a reason (a rule's hits did not carry that value), if any. */
export function unfilledPlaceholder(reason: string): string | undefined {
  return new RegExp(PLACEHOLDER.source).exec(reason)?.[0];
}
