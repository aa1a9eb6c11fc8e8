/**
 * Fitting a report into a character budget. Pieces are offered in priority order; each is taken
 * while it fits. Rows form a prefix (once a row does not fit, nothing after it is taken); a diff
 * that does not fit is skipped and smaller ones after it may still be taken.
 */

export interface Piece {
  kind: "row" | "diff";
  /** Index of the change the piece belongs to. */
  change: number;
  text: string;
}

export interface Selection {
  rows: Set<number>;
  diffs: Set<number>;
}

/** Chooses which pieces fit into `budget` characters (each piece costs its length plus one newline). */
export function selectPieces(pieces: readonly Piece[], budget: number): Selection {
  const rows = new Set<number>();
  const diffs = new Set<number>();
  let left = budget;
  for (const piece of pieces) {
    const cost = piece.text.length + 1;
    if (cost <= left) {
      (piece.kind === "row" ? rows : diffs).add(piece.change);
      left -= cost;
    } else if (piece.kind === "row") {
      break;
    }
  }
  return { rows, diffs };
}

/** Last resort: cut `text` to `max` characters with a visible note (never longer than `max`). */
export function hardCut(text: string, max: number, note: string): string {
  if (text.length <= max) return text;
  const tail = `\n\n${note}`;
  if (max <= tail.length) return text.slice(0, Math.max(0, max));
  return text.slice(0, max - tail.length) + tail;
}
