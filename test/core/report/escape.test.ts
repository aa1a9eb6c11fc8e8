import { describe, expect, it } from "vitest";
import { code, escapeHtmlText, escapeInline, fenced, htmlCode } from "../../../src/core/report/escape.js";

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

  it.each([
    // Inside <details> no backslashes (they would show); punctuation becomes references.
    ["a_b [x](y)", "a&#95;b &#91;x&#93;&#40;y&#41;"],
    // HTML and mentions as inline.
    ["<i>@x</i>", "&lt;i&gt;@&#8203;x&lt;/i&gt;"],
  ])("escapeHtmlText(%j)", (input, expected) => {
    expect(escapeHtmlText(input)).toBe(expected);
    expect(htmlCode(input)).toBe(`<code>${expected}</code>`);
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
