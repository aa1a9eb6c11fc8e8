import { describe, expect, it } from "vitest";
import { escapeHtml, renderHtmlReport } from "../../../src/core/audit/report-html.js";
import { clean, renderCsv, renderRecord, renderTable } from "../../../src/core/audit/render-text.js";
import { parseTimeArg } from "../../../src/core/audit/time-arg.js";
import { sampleChain } from "./fixtures.js";

const NOW = new Date("2026-02-01T12:00:00Z");
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

describe("text renderings of hostile records", () => {
  it.each([
    // An ANSI escape would recolour or rewrite the auditor's terminal.
    ["\u001b[2Jcleared", "\\u001b[2Jcleared"],
    // Bidirectional overrides would make a key read differently than it is.
    ["abc\u202edcba", "abc\\u202edcba"],
    // Plain text is untouched.
    ["acme/infra", "acme/infra"],
  ])("clean(%j)", (input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  it("escapes control characters in show and ls output", () => {
    const [first] = sampleChain();
    const hostile = { ...first!, actor: "evil\u001b]0;owned\u0007", id: "x\ny" };
    expect(renderRecord(hostile)).not.toMatch(CONTROL);
    expect(renderTable([hostile])).not.toMatch(CONTROL);
    expect(renderRecord(hostile)).toContain("evil\\u001b]0;owned\\u0007");
  });

  it("defuses spreadsheet formulas and quotes CSV cells", () => {
    const [first] = sampleChain();
    const csv = renderCsv([{ ...first!, id: '=HYPERLINK("http://x")' }]);
    expect(csv.split("\r\n")[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

describe("renderHtmlReport", () => {
  it("escapes every value and links PRs only for well-formed repositories", () => {
    const chain = sampleChain().map((r) => ({ ...r, repository: 'acme/infra"><img src=x>' }));
    const html = renderHtmlReport({
      records: chain,
      since: new Date(0),
      until: NOW,
      generatedAt: NOW,
      location: "file:///<b>",
      verdicts: new Map([["prod", { ok: true as const, records: 5 }]]),
    });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<a ");
    expect(escapeHtml(`<&>"'\``)).toBe("&#60;&#38;&#62;&#34;&#39;&#96;");
  });
});

describe("parseTimeArg", () => {
  it.each([
    // Relative ages count back from now.
    ["24h", "2026-01-31T12:00:00.000Z"],
    ["7d", "2026-01-25T12:00:00.000Z"],
    ["30m", "2026-02-01T11:30:00.000Z"],
    // A date alone is midnight UTC.
    ["2026-01-31", "2026-01-31T00:00:00.000Z"],
    // A full ISO time with an offset.
    ["2026-01-31T10:00:00+02:00", "2026-01-31T08:00:00.000Z"],
  ])("%s", (text, iso) => {
    expect(parseTimeArg(text, NOW).toISOString()).toBe(iso);
  });

  it.each(["yesterday", "7", "2026-13-45", "-1d", "1y"])("rejects %s", (text) => {
    // Anything else is an error naming the accepted forms.
    expect(() => parseTimeArg(text, NOW)).toThrow(/invalid time/);
  });
});
