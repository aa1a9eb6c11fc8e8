import { describe, expect, it } from "vitest";
import { DEFAULT_MANIFEST_LIMITS } from "../../src/core/manifest-limits.js";
import { parseManifestFile } from "../../src/core/manifest-parse.js";
import { countWork, growth } from "./work-count.js";

const limits = { ...DEFAULT_MANIFEST_LIMITS };
const parse = (file: string, content: string, extra: Partial<typeof limits> = {}) =>
  parseManifestFile(file, content, { limits: { ...limits, ...extra } });

const cm = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: app\n`;

describe("parseManifestFile: documents", () => {
  it("reads multi-document YAML with lines, columns and document indices", () => {
    const result = parse("a.yaml", `${cm("one")}---\n${cm("two")}---\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents.map((d) => [d.source.line, d.source.column, d.source.document])).toEqual([
      [1, 1, 0],
      [7, 1, 1],
    ]);
  });

  it.each([
    // a YAML document without apiVersion/kind is skipped with a reason, not dropped
    ["a.yaml", "foo: bar\n", "no apiVersion or kind"],
    // a scalar document is skipped
    ["a.yaml", "just text\n", "document is a string"],
    // a top-level list is skipped
    ["a.yaml", "- 1\n- 2\n", "document is a list"],
    // JSON without kind is skipped too
    ["a.json", '{"hello": 1}', "no apiVersion or kind"],
  ])("skips %s %j", (file, content, reason) => {
    const result = parse(file, content);
    expect(result.documents).toEqual([]);
    expect(result.skipped).toEqual([
      expect.objectContaining({ file, line: 1, reason: expect.stringContaining(reason) }),
    ]);
  });

  it("ignores empty documents", () => {
    const result = parse("a.yaml", `---\n---\n${cm("x")}---\n`);
    expect(result.documents).toHaveLength(1);
    expect(result.skipped).toEqual([]);
  });

  it("reads JSON", () => {
    const result = parse(
      "a.json",
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "j" } }),
    );
    expect(result.documents.map((d) => d.object["kind"])).toEqual(["ConfigMap"]);
  });

  it.each([
    // kind: List is expanded, each item located on its own line
    ["List", [4, 9]],
    // typed lists too
    ["ConfigMapList", [4, 9]],
  ])("expands %s", (kind, lines) => {
    const text = `apiVersion: v1\nkind: ${kind}\nitems:\n${[cm("a"), cm("b")]
      .map((t) => `  - ${t.trimEnd().split("\n").join("\n    ")}`)
      .join("\n")}\n`;
    const result = parse("list.yaml", text);
    expect(result.errors).toEqual([]);
    expect(result.documents.map((d) => d.source.line)).toEqual(lines);
    expect(result.documents.map((d) => (d.object["metadata"] as { name: string }).name)).toEqual(["a", "b"]);
  });

  it("expands a JSON List", () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }],
    };
    expect(parse("l.json", JSON.stringify(list)).documents).toHaveLength(1);
  });
});

describe("parseManifestFile: errors and hostile input", () => {
  it.each([
    // a bad indentation is reported with line and column
    ["a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: [\n", { line: 5 }],
    // an unclosed flow sequence is reported where the input ends
    ["a.yaml", "a: [1, 2\n", { line: 2 }],
    // duplicate keys are an error, not last-one-wins
    ["a.yaml", "apiVersion: v1\nkind: A\nkind: B\n", { line: 3 }],
    // malformed JSON gets a position
    ["a.json", '{\n  "a": 1,\n  oops\n}', { line: 3 }],
  ])("reports malformed %s at its position", (file, content, at) => {
    const result = parse(file, content);
    expect(result.documents).toEqual([]);
    expect(result.errors[0]).toMatchObject({ file, ...at });
    expect(result.errors[0]?.column).toBeGreaterThan(0);
  });

  it("never quotes the content in a JSON error", () => {
    const result = parse("a.json", '{"password": "hunter2" oops}');
    expect(JSON.stringify(result.errors)).not.toContain("hunter2");
  });

  it("never quotes the content in a YAML error", () => {
    const result = parse("a.yaml", 'password: "hunter2\nother: x: y\n');
    expect(result.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.errors)).not.toContain("hunter2");
  });

  it.each([
    // yaml's "Not a YAML token: <source>" and "Block scalar header includes extra characters: <source>"
    ["stringData:\n  password: |x hunter2pw\n    body\n"],
    // "Could not resolve tag: !f!hunter2pw"
    ["%TAG !e! tag:example.com,2000:\n---\na: !f!hunter2pw x\n"],
    // "Invalid escape sequence \\uhunt"
    ['password: "\\uhunter2pw"\n'],
    // "The !hunter2pw! tag has no suffix"
    ["%TAG !hunter2pw! !\n---\na: !hunter2pw!\n"],
    // "Unsupported YAML version hunter2pw"
    ["%YAML hunter2pw\n---\na: 1\n"],
  ])("never quotes the offending source in a YAML error message %#", (content) => {
    const result = parse("a.yaml", content);
    expect(result.documents).toEqual([]);
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) expect(error.message).not.toMatch(/hunt/);
  });

  it.each([
    // JSON written with a byte-order mark
    ["a.json", '\uFEFF{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}'],
    // YAML with a byte-order mark and CRLF line ends
    ["a.yaml", "\uFEFFapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n"],
  ])("reads %s with a byte-order mark", (file, content) => {
    const result = parse(file, content);
    expect(result.errors).toEqual([]);
    expect(result.documents[0]?.object).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "a" },
    });
  });

  it.each([
    // a leading zero is octal, as kubectl reads it: 0400 is owner read-only (256), not 400 (0o620)
    ["0400", 256],
    // the usual file mode
    ["0644", 420],
    // YAML 1.2's own octal form still works
    ["0o644", 420],
    // a plain zero and ordinary decimals are unchanged
    ["0", 0],
    ["644", 644],
    // not octal digits: decimal, as before
    ["0999", 999],
    // quoted, it stays a string
    ['"0644"', "0644"],
  ])("reads the integer %s as kubectl does", (source, expected) => {
    const result = parse("mode.yaml", `${cm("m")}data:\n  mode: ${source}\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents[0]?.object["data"]).toEqual({ mode: expected });
  });

  it.each([
    // YAML 1.1 booleans, as kubectl reads them: `privileged: on` must not hide as a string
    ["on", true],
    ["yes", true],
    ["Y", true],
    ["OFF", false],
    ["no", false],
    ["n", false],
    // YAML 1.2's own booleans are unchanged
    ["true", true],
    ["False", false],
    // quoted, or not a boolean word, it stays a string
    ['"on"', "on"],
    ["yes-please", "yes-please"],
    ["oN", "oN"],
  ])("reads the value %s as kubectl does", (source, expected) => {
    const result = parse("flag.yaml", `${cm("f")}spec:\n  privileged: ${source}\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents[0]?.object["spec"]).toEqual({ privileged: expected });
  });

  it.each([
    // JSON.parse would silently keep the last value
    ['{"apiVersion":"v1","kind":"A",\n"spec":{"replicas":1,"replicas":5}}', 2],
    // an escaped spelling of the same key is the same key
    ['{"a":1,\n\n"\\u0061":2}', 3],
  ])("reports a duplicate JSON key %j at its line", (content, line) => {
    const result = parse("a.json", content);
    expect(result.documents).toEqual([]);
    expect(result.errors).toEqual([
      { file: "a.json", line, column: expect.any(Number), message: "JSON duplicate key" },
    ]);
  });

  it.each([
    // equal keys in different objects, and key-like strings in arrays and values
    ['{"a":{"x":1},"b":{"x":2},"c":["a","a"],"d":"a","e":{"q\\"":1,"q":2}}'],
  ])("accepts JSON without duplicate keys %j", (content) => {
    expect(parse("a.json", content).errors).toEqual([]);
  });

  it("finds duplicate keys in a huge map, with its line", () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v`).join("\n");
    const unique = parse("big.yaml", `${cm("big")}data:\n${keys}\n`);
    expect(unique.errors).toEqual([]);
    const duplicated = parse("dup.yaml", `${cm("dup")}data:\n${keys}\n  k5: again\n`);
    expect(duplicated.errors).toEqual([
      { file: "dup.yaml", line: 100_007, column: 3, message: "YAML duplicate key: Map keys must be unique" },
    ]);
  });

  it("checks duplicate keys with work linear in the number of keys", () => {
    // yaml's own uniqueKeys check is quadratic (100,000 keys took minutes): counted work, not time.
    const map = (n: number) => () =>
      parse(
        "big.yaml",
        `${cm("big")}data:\n${Array.from({ length: n }, (_, i) => `  k${i}: v`).join("\n")}\n`,
      );
    expect(growth(map, 2000)).toBeLessThan(2.5);
  });

  it.each([
    // the same scalar twice, in a flow map
    ["a: {x: 1, x: 2}\n", 1],
    // a duplicate nested deep in a block map
    ["a:\n  b:\n    c: 1\n    d: 2\n    c: 3\n", 5],
    // 1 and 1.0 are the same number, as yaml's own check has it
    ["a:\n  1: x\n  1.0: y\n", 3],
  ])("reports the duplicate key of %j at its line", (content, line) => {
    expect(parse("a.yaml", content).errors).toMatchObject([
      { line, message: expect.stringMatching(/duplicate key/) },
    ]);
  });

  it.each([
    // a merge key may be overridden by an explicit key
    ["base: &b {x: 1}\nd:\n  <<: *b\n  x: 2\n"],
    // "1" and 1 are different keys
    ["a:\n  '1': x\n  1: y\n"],
  ])("accepts %j without a duplicate-key error", (content) => {
    expect(parse("a.yaml", content).errors).toEqual([]);
  });

  it.each([
    // apiVersion/kind of the wrong type is an error, not a skip
    ["apiVersion: 1\nkind: ConfigMap\n", /non-empty strings/],
    // only kind
    ["kind: ConfigMap\n", /non-empty strings/],
    // NaN/Infinity are parsed but the set rejects them later; a List inside a List is refused here
    [
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items: []\n",
      /List inside a List/,
    ],
  ])("rejects %j", (content, message) => {
    expect(parse("a.yaml", content).errors[0]?.message).toMatch(message);
  });

  it("stops an alias bomb", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const l of "bcdefghi")
      levels.push(
        `${l}: &${l} [${Array(9)
          .fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    const { result, work } = countWork(() =>
      parse("bomb.yaml", `apiVersion: v1\nkind: ConfigMap\n${levels.join("\n")}\n`),
    );
    expect(result.documents).toEqual([]);
    expect(result.errors[0]?.message).toMatch(/too many YAML aliases/);
    // Expanded, the bomb is 9^9 nodes; refused, it costs about as much as reading its text.
    expect(work).toBeLessThan(100_000);
  });

  it.each([
    // an alias inside the node it names: the YAML library's conversion would take cubic time
    ["apiVersion: v1\nkind: ConfigMap\ndata: &a [" + "*a, ".repeat(50) + "]\n", /circular/],
    // a flood of aliases is refused before parsing
    ["a: &a [x]\nb: [" + "*a, ".repeat(200_000) + "]\n", /too many YAML aliases/],
    // aliases spread over few documents count against the same limit
    [
      Array(3)
        .fill("a: &a [x]\nb: [" + "*a, ".repeat(150) + "]")
        .join("\n---\n"),
      /too many YAML aliases/,
    ],
  ])("refuses hostile aliases %#", (content, message) => {
    const { result, work } = countWork(() => parse("alias.yaml", content));
    expect(result.documents).toEqual([]);
    expect(result.errors[0]?.message).toMatch(message);
    // Refused before any expansion: work bounded by the text, not by what the aliases would build.
    expect(work).toBeLessThan(content.length * 4);
  });

  it("allows a few ordinary aliases", () => {
    const result = parse("ok.yaml", `${cm("a")}metadata2: &m {x: 1}\nother: *m\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents[0]?.object["other"]).toEqual({ x: 1 });
  });

  it("applies merge keys as kubectl does", () => {
    // (`y` would be a YAML 1.1 boolean key, as kubectl reads it: the test uses `z`.)
    const result = parse("merge.yaml", `${cm("m")}base: &b {x: 1, z: 2}\nderived:\n  <<: *b\n  z: 3\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents[0]?.object["derived"]).toEqual({ x: 1, z: 3 });
  });

  it("refuses a 6 MB file without parsing it", () => {
    const content = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${"a".repeat(6 * 1024 * 1024)}"\n`;
    const result = parse("big.yaml", content);
    expect(result.errors).toEqual([
      { file: "big.yaml", message: expect.stringMatching(/6\.0 MB, over the 5\.0 MB limit/) },
    ]);
  });

  it("honours a reported size when the reader did not read the file whole", () => {
    const result = parseManifestFile("big.yaml", "", { limits, size: 10 * 1024 * 1024 });
    expect(result.errors[0]?.message).toMatch(/10\.0 MB/);
  });

  it.each([
    // deep flow nesting would exhaust the YAML composer: refused before parsing
    ["flow.yaml", `a: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`],
    // compact block sequences nest without indentation: refused before parsing
    ["compact.yaml", "- ".repeat(2_000_000) + "x\n"],
    // so do explicit keys
    ["keys.yaml", "? ".repeat(1_000_000) + "x\n"],
    // deep block nesting is caught after parsing
    ["block.yaml", Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n"],
    // deep JSON nesting
    ["deep.json", `${'{"a":'.repeat(300)}1${"}".repeat(300)}`],
  ])("refuses deep nesting in %s", (file, content) => {
    const result = parse(file, content);
    expect(result.documents).toEqual([]);
    expect(result.errors[0]?.message).toMatch(/nesting deeper than 128 levels/);
  });

  it("does not mistake quoted brackets for nesting", () => {
    const result = parse("q.yaml", `${cm("q")}data:\n  x: "${"[".repeat(500)}"\n`);
    expect(result.errors).toEqual([]);
    expect(result.documents).toHaveLength(1);
  });

  it("caps the number of objects", () => {
    const result = parseManifestFile("many.yaml", Array(5).fill(cm("x")).join("---\n"), {
      limits,
      remainingObjects: 3,
    });
    expect(result.documents).toHaveLength(3);
    expect(result.errors[0]?.message).toMatch(/more than 100000 objects/);
  });
});

describe("parseManifestFile: text that is not a manifest yet", () => {
  it("refuses text that was not valid UTF-8, naming the file and the place", () => {
    // Readers decode invalid bytes to U+FFFD; kubectl refuses such a file, and so does the plan.
    const decoded = Buffer.from([...Buffer.from(`${cm("a")}data:\n  x: "`), 0xff, 0x22, 0x0a]).toString(
      "utf8",
    );
    const result = parse("bad.yaml", decoded);
    expect(result.documents).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: "bad.yaml",
        line: 7,
        column: 7,
        message: "not valid UTF-8 text (kubectl refuses it too); not parsed",
      },
    ]);
    expect(parse("bad.json", '{"a":"\uFFFD"}').errors[0]?.message).toMatch(/not valid UTF-8/);
  });

  it.each([
    // an unquoted expression reads as a YAML flow map
    ["name", `${cm("a")}data:\n  x: {{ .Chart.Name }}\n`, 7],
    // a control line
    ["control", `{{- if .Values.enabled }}\n${cm("a")}{{- end }}\n`, 1],
    // a quoted Helm expression parses as a string, but is still a template
    ["quoted", `${cm("a")}data:\n  image: "web:{{ .Values.tag }}"\n`, 7],
    ["include", `${cm("a")}  labels:\n    {{- include "x.labels" . | nindent 4 }}\n`, 7],
  ])("refuses an unrendered template (%s) at its line", (_name, content, line) => {
    const result = parse("t.yaml", content);
    expect(result.documents).toEqual([]);
    expect(result.errors).toMatchObject([
      { file: "t.yaml", line, message: expect.stringMatching(/^unrendered template/) },
    ]);
  });

  it.each([
    // Prometheus rules keep their own templates in strings and block scalars
    ["rule", `${cm("a")}data:\n  summary: Instance {{ $labels.instance }} is down\n  q: '{{ $value }}'\n`],
    ["block", `${cm("a")}data:\n  t: |\n    {{ range .Alerts }}{{ .Labels.pod }}{{ end }}\n`],
    // Argo Workflows parameters
    ["argo", `${cm("a")}data:\n  arg: "{{inputs.parameters.message}}"\n`],
  ])("keeps {{ }} that belongs to the object (%s)", (_name, content) => {
    expect(parse("ok.yaml", content).errors).toEqual([]);
  });
});
