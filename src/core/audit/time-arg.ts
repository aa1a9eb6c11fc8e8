/** Parses a CLI time: ISO 8601 (`2026-01-31`, `2026-01-31T10:00:00Z`) or relative to now (`30m`, `24h`, `7d`, `2w`). */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseTimeArg(text: string, now: Date): Date {
  const trimmed = text.trim();
  const relative = /^(\d{1,6})([smhdw])$/.exec(trimmed);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const date = new Date(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new Error(
    `invalid time ${JSON.stringify(trimmed.slice(0, 40))}: use ISO 8601 (2026-01-31, 2026-01-31T10:00:00Z) or a relative age like 30m, 24h, 7d, 2w`,
  );
}
