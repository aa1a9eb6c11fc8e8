/**
 * Parses a CLI time: ISO 8601 (`2026-01-31`, `2026-01-31T10:00:00Z`) or relative to now (`30m`, `24h`, `7d`, `2w`).
 * A time without an offset is UTC, like a date alone and like every record time, so the window
 * does not depend on the auditor's time zone. Impossible dates (`2026-02-30`) are errors, not rolled over.
 */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseTimeArg(text: string, now: Date): Date {
  const trimmed = text.trim();
  const relative = /^(\d{1,6})([smhdw])$/.exec(trimmed);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!);
  const m = ISO.exec(trimmed);
  if (m) {
    const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]]
      .filter((v) => v !== undefined)
      .map(Number);
    const ms = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
    const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second, ms);
    const back = new Date(utc);
    const exact =
      back.getUTCFullYear() === year &&
      back.getUTCMonth() === month! - 1 &&
      back.getUTCDate() === day &&
      back.getUTCHours() === hour &&
      back.getUTCMinutes() === minute &&
      back.getUTCSeconds() === second;
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(m[8] ?? "");
    const offsetOk = !offset || (Number(offset[2]) <= 23 && Number(offset[3]) <= 59);
    if (exact && offsetOk) {
      const shift = offset
        ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000
        : 0;
      return new Date(utc - shift);
    }
  }
  throw new Error(
    `invalid time ${JSON.stringify(trimmed.slice(0, 40))}: use ISO 8601 (2026-01-31, 2026-01-31T10:00:00Z) or a relative age like 30m, 24h, 7d, 2w`,
  );
}
