import { describe, expect, it } from "vitest";
import { escapeHtml, renderHtmlReport } from "../../../src/core/audit/report-html.js";
import {
  clean,
  jsonErrorText,
  renderCsv,
  renderRecord,
  renderTable,
  terminalJson,
} from "../../../src/core/audit/render-text.js";
import { parseTimeArg } from "../../../src/core/audit/time-arg.js";
import { DIGEST_A, sampleChain } from "./fixtures.js";

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

  it("escapes control characters in CSV cells, which land on a terminal first", () => {
    // `ls --output csv` to stdout must not let an id set the terminal title or clear the screen.
    const [first] = sampleChain();
    const csv = renderCsv([{ ...first!, id: "x\u001b]0;owned\u0007", commit: "\u009b2J" }]);
    // eslint-disable-next-line no-control-regex
    expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(csv).toContain("x\\u001b]0;owned\\u0007");
  });

  it("writes C1 controls and bidi overrides in JSON output as escapes, the same JSON value", () => {
    // JSON.stringify leaves U+009B (CSI) and U+202E raw: terminalJson escapes them.
    const value = { id: "a\u009b2Jb\u202ec", n: 1 };
    const text = terminalJson(value);
    expect(text).not.toMatch(/[\u009b\u202e]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("does not quote raw input from a JSON parse error", () => {
    // The parser quotes the hostile file; what reaches a message is escaped and bounded.
    let error: unknown;
    try {
      JSON.parse(`{"a": \u001b]0;owned\u0007 ${"x".repeat(400)}`);
    } catch (e) {
      error = e;
    }
    const text = jsonErrorText(error);
    expect(text).not.toMatch(CONTROL);
    expect(text.length).toBeLessThanOrEqual(160);
  });

  it("defuses spreadsheet formulas and quotes CSV cells", () => {
    const [first] = sampleChain();
    const csv = renderCsv([{ ...first!, id: '=HYPERLINK("http://x")' }]);
    expect(csv.split("\r\n")[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

describe("renderHtmlReport", () => {
  it("shows bidi overrides and control characters escaped, so a key reads as it is", () => {
    // U+202E would display "/Secret/web/bd" for a key that is something else; ESC is shown too.
    const chain = sampleChain().map((r) => ({
      ...r,
      objects: r.objects.map((o) => ({ ...o, key: "x\u202ebd/bew/terceS\u001b" })),
    }));
    const html = renderHtmlReport({
      records: chain,
      since: new Date(0),
      until: NOW,
      generatedAt: NOW,
      location: "file:///x",
      verdicts: new Map([["prod", { ok: true as const, records: 5 }]]),
    });
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u202e\u001b]/);
    expect(html).toContain("x\\u202ebd/bew/terceS\\u001b");
  });

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
    // A time without an offset is UTC, like a date alone (not the auditor's local zone).
    ["2026-01-31T10:00", "2026-01-31T10:00:00.000Z"],
    // A compact offset and a space separator.
    ["2026-01-31 10:00:00-0130", "2026-01-31T11:30:00.000Z"],
  ])("%s", (text, iso) => {
    expect(parseTimeArg(text, NOW).toISOString()).toBe(iso);
  });

  it("reads a time without an offset as UTC whatever the local time zone", () => {
    // An auditor in Berlin and one in UTC must get the same window for the same argument.
    const saved = process.env.TZ;
    process.env.TZ = "Europe/Berlin";
    try {
      expect(parseTimeArg("2026-01-31 10:00", NOW).toISOString()).toBe("2026-01-31T10:00:00.000Z");
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it.each([
    "yesterday",
    "7",
    "2026-13-45",
    "-1d",
    "1y",
    // Impossible dates and times are errors, not rolled over into the next month or day.
    "2026-02-30",
    "2026-04-31T10:00:00Z",
    "2026-01-31T24:00:00Z",
    "2026-01-31T10:00:00+25:00",
  ])("rejects %s", (text) => {
    // Anything else is an error naming the accepted forms.
    expect(() => parseTimeArg(text, NOW)).toThrow(/invalid time/);
  });

  it("gives an auditor the evidence: author vs approver, approval head and check run, full digests, when the apply finished, event counts, the head", () => {
    const chain = sampleChain().map((r) =>
      r.kind === "intent" && r.id === "i1" ? { ...r, authors: [{ pullRequest: 1, login: "Alice" }] } : r,
    );
    const head = chain[4]!;
    const html = renderHtmlReport({
      records: chain,
      since: new Date(0),
      until: NOW,
      generatedAt: NOW,
      location: "file:///x",
      verdicts: new Map([["prod", { ok: true as const, records: 5 }]]),
      heads: new Map([["prod", { seq: head.seq, hash: head.hash }]]),
    });
    // The author also approved: flagged.
    expect(html).toMatch(/Author of #1<\/dt><dd class="bad">Alice — also an approver/);
    expect(html).toContain(`head <code class="full">${"1".repeat(40)}</code>, check run 9001`);
    expect(html).toContain(`change set <code class="full">${"c".repeat(64)}</code>`);
    expect(html).toContain(`policy <code class="full">${"d".repeat(64)}</code>`);
    expect(html).toContain(`<code class="full">abcdef1234</code>`); // the commit as recorded, in full
    expect(html).toContain(`<code class="full">${DIGEST_A}</code>`);
    expect(html).toContain(`Apply finished</dt><dd>${chain[1]!.time} (succeeded)`);
    expect(html).toContain('<p id="events">0 failed, 0 interrupted, 0 drift reverted.</p>');
    expect(html).toContain(`head <code class="full">${head.hash}</code> (seq 4;`);
    expect(html).toContain(`--expect-head ${head.hash}`);
  });
});
