/**
 * Field path notation used in changes, findings and reports:
 * `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`,
 * `spec.ports[0].port`. Items of arrays whose elements carry a string `name` are addressed by name.
 */

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BARE_NAME = /^[A-Za-z0-9_.:-]+$/;

/** Appends an object key: `.key`, or `["odd/key"]` when it is not a plain identifier. */
export function appendKey(path: string, key: string): string {
  if (BARE_KEY.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Appends an array item: `[name=web]` when the item has a string name, `[3]` otherwise. */
export function appendItem(path: string, index: number, item: unknown): string {
  const name = itemName(item);
  if (name === undefined) return `${path}[${index}]`;
  return `${path}[name=${BARE_NAME.test(name) ? name : JSON.stringify(name)}]`;
}

/** The `name` of an array element used to match items across versions, if it has one. */
export function itemName(item: unknown): string | undefined {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return undefined;
  const name = (item as Record<string, unknown>)["name"];
  return typeof name === "string" ? name : undefined;
}
