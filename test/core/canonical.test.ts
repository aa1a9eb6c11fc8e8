import { describe, expect, it } from "vitest";
import { canonicalJson, objectDigest, sha256Hex, stripServerFields } from "../../src/core/canonical.js";

describe("canonicalJson", () => {
  it.each([
    // keys are sorted at every level and no whitespace is written
    [{ b: 1, a: { d: [1, 2], c: "x" } }, '{"a":{"c":"x","d":[1,2]},"b":1}'],
    // sorting is by code unit, not locale: upper case before lower case
    [{ b: 1, B: 2, a: 3 }, '{"B":2,"a":3,"b":1}'],
    // scalars are written as JSON writes them
    [[null, true, false, 1.5, -0, "é\n"], '[null,true,false,1.5,0,"é\\n"]'],
    // array order is significant and kept
    [[3, 1, 2], "[3,1,2]"],
    // null-prototype objects are plain objects
    [Object.assign(Object.create(null) as object, { z: 1 }), '{"z":1}'],
  ])("writes %j canonically", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  it.each([
    // undefined is not JSON (JSON.stringify would silently drop it)
    [{ a: undefined }, /\$\.a is a undefined/],
    // NaN and Infinity are not JSON numbers
    [{ a: Number.NaN }, /not a finite number/],
    [[Infinity], /not a finite number/],
    // bigint cannot be represented exactly
    [{ n: 1n }, /bigint/],
    // class instances (Date, Map, bytes) are rejected, naming the type
    [{ d: new Date(0) }, /Date, not a plain object/],
    [{ m: new Map() }, /Map/],
    [{ b: new Uint8Array(2) }, /Uint8Array/],
    // cycles are reported, not looped on
    [cyclic, /circular/],
  ])("rejects non-JSON value %#", (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("accepts shared (non-circular) references", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe("sha256Hex", () => {
  it("hashes UTF-8 bytes", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("stripServerFields / objectDigest", () => {
  const base = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "cfg",
      namespace: "app",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    },
    data: { a: "1" },
  };
  const served = {
    ...base,
    status: { phase: "Active" },
    metadata: {
      ...base.metadata,
      managedFields: [{ manager: "kubectl" }],
      resourceVersion: "42",
      uid: "0000",
      generation: 3,
      creationTimestamp: "2026-01-01T00:00:00Z",
      selfLink: "/api/v1/x",
    },
  };

  it("removes status and server-owned metadata, keeps last-applied-configuration, and does not mutate", () => {
    const stripped = stripServerFields(served);
    expect(stripped).toEqual(base);
    expect(served.metadata.uid).toBe("0000");
    expect(served.status).toBeDefined();
  });

  it.each([
    // server-owned fields do not change the digest
    [served, true],
    // key order does not change the digest
    [{ data: { a: "1" }, metadata: base.metadata, kind: "ConfigMap", apiVersion: "v1" }, true],
    // a data change does
    [{ ...base, data: { a: "2" } }, false],
    // a last-applied-configuration change does (it is content, masked for display only)
    [
      {
        ...base,
        metadata: {
          ...base.metadata,
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{1}" },
        },
      },
      false,
    ],
  ])("digest equality case %#", (other, same) => {
    expect(objectDigest(other) === objectDigest(base)).toBe(same);
  });

  it("digests to a 64-char hex string", () => {
    expect(objectDigest(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
