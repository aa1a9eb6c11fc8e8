import { describe, expect, it } from "vitest";
import { code, escapeInline, fenced } from "../../../src/core/report/escape.js";

describe("escaping", () => {
  it.each([
    // HTML cannot be injected.
    ["<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"],
    // Mentions are broken by a zero-width space.
    ["ping @octocat", "ping @&#8203;octocat"],
    // A pipe cannot split a table cell.
    ["a|b", "a&#124;b"],
    // Newlines cannot start a new block.
    ["a\n# b", "a \\# b"],
    // Markdown links and emphasis are literal.
    ["[x](y) *z*", "\\[x\\]\\(y\\) \\*z\\*"],
    // Entities are not interpreted.
    ["&amp;", "&amp;amp;"],
  ])("escapeInline(%j)", (input, expected) => {
    expect(escapeInline(input)).toBe(expected);
  });

  it("renders code without backticks so content cannot close it", () => {
    // Backticks become entities inside <code>.
    expect(code("a`b|c@d")).toBe("<code>a&#96;b&#124;c@&#8203;d</code>");
  });

  it.each([
    // Plain content gets a three-backtick fence.
    ["x", "```diff\nx\n```"],
    // A fence in the content needs a longer fence.
    ["```\nx", "````diff\n```\nx\n````"],
  ])("fences %j", (content, expected) => {
    expect(fenced(content, "diff")).toBe(expected);
  });
});
