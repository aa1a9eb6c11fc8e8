import { describe, expect, it } from "vitest";
import { parseFieldPath, valueAt } from "../../../src/core/report/value-path.js";

const object = {
  metadata: { labels: { "app.kubernetes.io/name": "web" } },
  spec: {
    ports: [{ port: 80 }, { port: 443 }],
    template: {
      spec: {
        containers: [
          { name: "web", image: "a:1" },
          { name: "odd name]", image: "b:2" },
        ],
      },
    },
  },
};

describe("field paths", () => {
  it.each([
    // Plain dotted keys.
    ["spec.ports[1].port", 443],
    // Quoted key with dots and slashes.
    ['metadata.labels["app.kubernetes.io/name"]', "web"],
    // Items matched by name.
    ["spec.template.spec.containers[name=web].image", "a:1"],
    // A quoted name containing a bracket.
    ['spec.template.spec.containers[name="odd name]"].image', "b:2"],
  ])("%s resolves", (path, expected) => {
    const segments = parseFieldPath(path);
    expect(segments).toBeDefined();
    expect(valueAt(object, segments ?? [])).toEqual({ found: true, value: expected });
  });

  it.each([
    // Unknown key.
    ["spec.nope"],
    // Index out of range.
    ["spec.ports[5]"],
    // No item of that name.
    ["spec.template.spec.containers[name=db].image"],
    // Indexing into a scalar.
    ["spec.ports[0].port.x"],
  ])("%s is not found", (path) => {
    expect(valueAt(object, parseFieldPath(path) ?? []).found).toBe(false);
  });

  it.each([
    // Unterminated bracket.
    ["data["],
    // Unterminated quoted key.
    ['a["b'],
    // Leading dot.
    [".a"],
    // Non-numeric index.
    ["a[x]"],
  ])("%s does not parse", (path) => {
    expect(parseFieldPath(path)).toBeUndefined();
  });
});
