import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/core/canonical.js";
import { changeSetDigest, diffManifestSets, fieldDeltas } from "../../src/core/change-set.js";
import { buildManifestSet } from "../../src/core/manifest-set.js";

const deployment = (image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
  labels:
    app.kubernetes.io/name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: sidecar
          image: envoy:1
        - name: web
          image: ${image}
          env:
            - name: MODE
              value: prod${extra}
`;
const cm = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n  k: "${value}"\n`;

const set = (files: Record<string, string>) =>
  buildManifestSet(Object.entries(files).map(([path, content]) => ({ path, content })));

describe("diffManifestSets", () => {
  it("lists creates, updates and deletes sorted by key and counts unchanged objects", () => {
    const base = set({ "a.yaml": `${deployment("web:1")}---\n${cm("keep", "1")}---\n${cm("gone", "1")}` });
    const head = set({ "a.yaml": `${deployment("web:2")}---\n${cm("keep", "1")}---\n${cm("new", "1")}` });
    const cs = diffManifestSets(base, head);
    expect(cs.changes.map((c) => [c.key, c.op])).toEqual([
      ["/ConfigMap/web/gone", "delete"],
      ["/ConfigMap/web/new", "create"],
      ["apps/Deployment/web/api", "update"],
    ]);
    expect(cs.unchanged).toBe(1);
    const update = cs.changes[2];
    expect(update?.fields).toEqual(["spec.template.spec.containers[name=web].image"]);
    expect(update?.deltas).toEqual([
      {
        path: "spec.template.spec.containers[name=web].image",
        op: "replace",
        before: "web:1",
        after: "web:2",
      },
    ]);
    expect(cs.changes[0]?.before?.name).toBe("gone");
    expect(cs.changes[0]?.after).toBeUndefined();
    expect(cs.changes[1]?.fields).toEqual([]);
  });

  it.each([
    // renaming the file changes nothing
    [{ "renamed.yaml": `${deployment("web:2")}---\n${cm("c", "1")}` }],
    // moving an object to another file changes nothing
    [{ "one.yaml": deployment("web:2"), "two/c.yaml": cm("c", "1") }],
    // reordering documents and re-formatting (flow style, key order, comments) changes nothing
    [
      {
        "a.yaml": `# comment\n{apiVersion: v1, data: {k: "1"}, metadata: {namespace: web, name: c}, kind: ConfigMap}\n---\n${deployment("web:2")}`,
      },
    ],
    // JSON instead of YAML changes nothing
    [
      {
        "a.yaml": deployment("web:2"),
        "c.json": JSON.stringify({
          kind: "ConfigMap",
          apiVersion: "v1",
          metadata: { name: "c", namespace: "web" },
          data: { k: "1" },
        }),
      },
    ],
  ])("keeps the digest stable across layout changes (case %#)", (files) => {
    const base = set({ "a.yaml": deployment("web:1") });
    const reference = diffManifestSets(base, set({ "a.yaml": `${deployment("web:2")}---\n${cm("c", "1")}` }));
    const other = diffManifestSets(base, set(files));
    expect(other.digest).toBe(reference.digest);
    expect(other.changes.map((c) => c.after?.digest)).toEqual(reference.changes.map((c) => c.after?.digest));
  });

  it.each([
    // a content change moves the digest
    [{ "a.yaml": `${deployment("web:3")}---\n${cm("c", "1")}` }],
    // so does one more object
    [{ "a.yaml": `${deployment("web:2")}---\n${cm("c", "1")}---\n${cm("d", "1")}` }],
  ])("moves the digest when content changes (case %#)", (files) => {
    const base = set({ "a.yaml": deployment("web:1") });
    const reference = diffManifestSets(base, set({ "a.yaml": `${deployment("web:2")}---\n${cm("c", "1")}` }));
    expect(diffManifestSets(base, set(files)).digest).not.toBe(reference.digest);
  });

  it("treats an apiVersion move as an update of the same key", () => {
    const v1beta1 = set({
      "a.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: j, namespace: ns}\n",
    });
    const v1 = set({ "a.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j, namespace: ns}\n" });
    const cs = diffManifestSets(v1beta1, v1);
    expect(cs.changes.map((c) => [c.key, c.op, c.fields])).toEqual([
      ["batch/CronJob/ns/j", "update", ["apiVersion"]],
    ]);
  });

  it("shows an update the differ cannot express as a whole-object replacement", () => {
    // jsondiffpatch loses a `__proto__` key; the digests differ, so the change must not look empty.
    const obj = (v: string) =>
      `{"apiVersion":"v1","kind":"X","metadata":{"name":"a","namespace":"n"},"spec":{"__proto__":{"v":"${v}"}}}`;
    const cs = diffManifestSets(set({ "a.json": obj("one") }), set({ "a.json": obj("two") }));
    expect(cs.changes).toHaveLength(1);
    const [change] = cs.changes;
    expect(change?.fields).toEqual([""]);
    expect(change?.deltas).toMatchObject([{ path: "", op: "replace" }]);
    expect(JSON.stringify(change?.deltas[0]?.after)).toContain('"two"');
  });

  it("is empty for identical sets", () => {
    const a = set({ "a.yaml": deployment("web:1") });
    const cs = diffManifestSets(a, set({ "b.yaml": deployment("web:1") }));
    expect(cs).toEqual({ changes: [], unchanged: 1, digest: sha256Hex("[]") });
  });
});

describe("fieldDeltas", () => {
  it.each([
    // named items are matched by name even when reordered and one is inserted before them
    [
      {
        c: [
          { name: "a", v: 1 },
          { name: "b", v: 1 },
        ],
      },
      {
        c: [
          { name: "z", v: 0 },
          { name: "b", v: 2 },
          { name: "a", v: 1 },
        ],
      },
      [
        { path: "c[name=z]", op: "add", after: { name: "z", v: 0 } },
        { path: "c[name=b].v", op: "replace", before: 1, after: 2 },
      ],
    ],
    // unnamed items are matched by position
    [
      { ports: [{ port: 80 }, { port: 81 }] },
      { ports: [{ port: 80 }, { port: 82 }] },
      [{ path: "ports[1].port", op: "replace", before: 81, after: 82 }],
    ],
    // removed named items are addressed by name
    [
      { env: [{ name: "A" }, { name: "B" }] },
      { env: [{ name: "A" }] },
      [{ path: "env[name=B]", op: "remove", before: { name: "B" } }],
    ],
    // keys that are not identifiers are quoted
    [
      { labels: { "app.kubernetes.io/name": "x" } },
      { labels: { "app.kubernetes.io/name": "y" } },
      [{ path: 'labels["app.kubernetes.io/name"]', op: "replace", before: "x", after: "y" }],
    ],
    // a new nested object is one add
    [{}, { spec: { a: 1 } }, [{ path: "spec", op: "add", after: { a: 1 } }]],
    // scalar arrays: removal and addition by position
    [
      { args: ["a", "b"] },
      { args: ["a", "c"] },
      [
        { path: "args[1]", op: "add", after: "c" },
        { path: "args[1]", op: "remove", before: "b" },
      ],
    ],
    // long strings are replaced whole, never text-diffed
    [
      { s: "x".repeat(100) },
      { s: "y".repeat(100) },
      [{ path: "s", op: "replace", before: "x".repeat(100), after: "y".repeat(100) }],
    ],
  ])("case %#", (before, after, expected) => {
    expect(fieldDeltas(before, after)).toEqual(expected);
  });
});

describe("changeSetDigest", () => {
  const entries = [
    { key: "b/K/n/x", op: "update" as const, afterDigest: "bb" },
    { key: "/K/n/a", op: "delete" as const, afterDigest: "ignored" },
    { key: "a/K/n/x", op: "create" as const, afterDigest: "aa" },
  ];

  it("follows the documented serialisation exactly", () => {
    const expected = sha256Hex(
      canonicalJson([
        ["/K/n/a", "delete", ""],
        ["a/K/n/x", "create", "aa"],
        ["b/K/n/x", "update", "bb"],
      ]),
    );
    expect(changeSetDigest(entries)).toBe(expected);
    expect(canonicalJson([["/K/n/a", "delete", ""]])).toBe('[["/K/n/a","delete",""]]');
  });

  it("does not depend on input order", () => {
    expect(changeSetDigest([...entries].reverse())).toBe(changeSetDigest(entries));
  });

  it.each([
    // the op is bound
    [{ ...entries[2]!, op: "update" as const }],
    // the after digest is bound
    [{ ...entries[2]!, afterDigest: "ab" }],
    // the key is bound
    [{ ...entries[2]!, key: "a/K/n/y" }],
  ])("changes when an entry changes (case %#)", (changed) => {
    expect(changeSetDigest([entries[0]!, entries[1]!, changed])).not.toBe(changeSetDigest(entries));
  });
});

describe("RBAC rules in diffs", () => {
  it("are matched by content: one rule added in the middle is one added rule", () => {
    const rule = (r: string) => ({ apiGroups: [""], resources: [r], verbs: ["get"] });
    const before = { rules: [rule("a"), rule("b"), rule("c")] };
    const after = { rules: [rule("a"), rule("new"), rule("b"), rule("c")] };
    expect(fieldDeltas(before, after)).toEqual([{ path: "rules[1]", op: "add", after: rule("new") }]);
  });
});
