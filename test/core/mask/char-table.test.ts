import { describe, expect, it } from "vitest";
import { ALNUM, CHAR, HEX, SPACE, TOKEN, WORD, has } from "../../../src/core/mask/char-table.js";

const members = (flags: number): string =>
  Array.from({ length: 128 }, (_, c) => c)
    .filter((c) => has(c, flags))
    .map((c) => String.fromCharCode(c))
    .join("");

describe("char table", () => {
  it("classifies ASCII", () => {
    expect(members(ALNUM)).toBe("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    expect(members(HEX)).toBe("0123456789ABCDEFabcdef");
    expect(members(WORD)).toBe("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
    expect(members(TOKEN)).toBe("+-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");
    expect(members(SPACE)).toBe("\t\n\u000b\u000c\r ");
  });

  it("gives no class to characters outside ASCII", () => {
    expect(CHAR["é".charCodeAt(0)]).toBe(0);
    expect(CHAR[0xd83d]).toBe(0);
  });
});
