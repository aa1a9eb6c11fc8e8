/**
 * An equality key for manifest values the policy compares (array members, enum values, fields):
 * JSON with object keys sorted and `undefined` members left out. It is never a digest (digests use
 * src/core/canonical.ts) and is lenient on purpose: a value JSON cannot represent must not make a
 * comparison throw; such values compare as JSON.stringify writes them.
 */
export function valueKey(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(valueKey).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v)}`).join(",")}}`;
}
