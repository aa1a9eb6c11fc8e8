/**
 * Fitting a report into a character budget. Pieces are offered in priority order; each is taken
 * while it fits. Rows form a prefix (once a row does not fit, nothing after it is taken); a diff
 * that does not fit is skipped and smaller ones after it may still be taken.
 */

export interface Piece {
  kind: "row" | "diff";
  /** Index of the change the piece belongs to. */
  change: number;
  /** Renders the piece; called at most once, and only for pieces that are considered. */
  render(): string;
}

export interface Selection {
  /** Rendered rows and diffs that fit, by change index. */
  rows: Map<number, string>;
  diffs: Map<number, string>;
}

/**
 * Chooses which pieces fit into `budget` characters (each costs its length plus one newline).
 * Pieces after the first row that does not fit are never rendered, so 10,000 changes stay cheap.
 */
export function selectPieces(pieces: Iterable<Piece>, budget: number): Selection {
  const rows = new Map<number, string>();
  const diffs = new Map<number, string>();
  let left = budget;
  for (const piece of pieces) {
    const text = piece.render();
    const cost = text.length + 1;
    if (cost <= left) {
      (piece.kind === "row" ? rows : diffs).set(piece.change, text);
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
