import { describe, expect, it } from "vitest";
import type { Piece } from "../../../src/core/report/truncate.js";
import { hardCut, selectPieces } from "../../../src/core/report/truncate.js";

const piece = (kind: "row" | "diff", change: number, size: number): Piece => ({
  kind,
  change,
  render: () => "x".repeat(size),
});

describe("selectPieces", () => {
  it.each([
    // Everything fits.
    ["all", 100, [0, 1], [0]],
    // The big diff is skipped, the row after it still fits.
    ["skip diff", 25, [0, 1], []],
    // Once a row does not fit, nothing after it is taken.
    ["rows are a prefix", 10, [0], []],
  ])("%s", (_name, budget, rows, diffs) => {
    const pieces = [piece("row", 0, 9), piece("diff", 0, 50), piece("row", 1, 9)];
    const selection = selectPieces(pieces, budget);
    expect([...selection.rows.keys()]).toEqual(rows);
    expect([...selection.diffs.keys()]).toEqual(diffs);
  });
});

it("never renders pieces after the first row that does not fit", () => {
  // Rendering is lazy: a report of 10,000 changes only renders what it may show.
  let rendered = 0;
  const counted = (kind: "row" | "diff", change: number): Piece => ({
    kind,
    change,
    render: () => {
      rendered++;
      return "x".repeat(10);
    },
  });
  selectPieces([counted("row", 0), counted("row", 1), counted("row", 2)], 15);
  expect(rendered).toBe(2);
});

describe("hardCut", () => {
  it.each([
    // Short text is untouched.
    ["abc", 10, "abc"],
    // Long text is cut and noted within the limit.
    ["a".repeat(50), 20, `${"a".repeat(13)}\n\n(cut)`],
    // A limit below the note still holds.
    ["a".repeat(50), 3, "aaa"],
  ])("%#", (text, max, expected) => {
    const out = hardCut(text, max, "(cut)");
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });
});
