import { describe, expect, it } from "vitest";
import { Lru } from "../../src/github/lru.js";

describe("Lru", () => {
  it("evicts the least recently used entry beyond its bound", () => {
    const lru = new Lru<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.size).toBe(2);
  });

  it("expires entries after their time to live", () => {
    let now = 0;
    const lru = new Lru<string>(10, 1_000, () => now);
    lru.set("team", "members");
    now = 999;
    expect(lru.get("team")).toBe("members");
    now = 2_000;
    expect(lru.get("team")).toBeUndefined();
  });

  it("refuses a bound below one", () => {
    expect(() => new Lru(0)).toThrow(/maxEntries/);
  });
});
