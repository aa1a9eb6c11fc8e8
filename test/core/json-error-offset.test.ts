import { describe, expect, it } from "vitest";
import { jsonErrorOffset } from "../../src/core/json-error-offset.js";

describe("jsonErrorOffset", () => {
  it.each([
    // valid documents of every shape
    ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}', -1],
    ["[]", -1],
    [' "s" ', -1],
    ["0", -1],
    // a bare word where a key should be
    ['{\n  "a": 1,\n  oops\n}', 14],
    // a trailing comma
    ["[1, 2,]", 6],
    // a missing colon
    ['{"a" 1}', 5],
    // an unterminated string
    ['["abc', 5],
    // an unterminated array
    ["[1, 2", 5],
    // a bad escape
    ['"\\x"', 1],
    // a raw control character in a string
    ['"a\tb"', 2],
    // a leading zero
    ["01", 1],
    // trailing garbage
    ["{} x", 3],
    // a bad literal
    ["[tru]", 1],
    // deep nesting is scanned iteratively, not recursively
    ["[".repeat(100_000), 100_000],
  ])("%j → %i", (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    expect(() => JSON.parse(text)).toSatisfy((parse: () => unknown) => {
      try {
        parse();
        return offset === -1;
      } catch {
        return offset >= 0;
      }
    });
  });
});
