/**
 * Over-masking: each benign value is placed as an env var, a custom resource field, a ConfigMap key
 * and a `name=value` / `name: value` line of text; it is over-masked where the output lost it.
 */
import type { Masker } from "../../src/core/mask/types.js";
import type { Benign } from "./benign.js";

type Check = (b: Benign, m: Masker) => boolean;

const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((at, k) => (at as Record<string | number, unknown> | undefined)?.[k], o);

const PLACEMENTS: Record<string, Check> = {
  env: (b, m) =>
    get(
      m.maskObject({
        kind: "Deployment",
        spec: {
          template: { spec: { containers: [{ name: "a", env: [{ name: b.name, value: b.value }] }] } },
        },
      }),
      "spec",
      "template",
      "spec",
      "containers",
      0,
      "env",
      0,
      "value",
    ) === b.value,
  field: (b, m) =>
    get(
      m.maskObject({ kind: "Integration", spec: { config: { [b.name]: b.value } } }),
      "spec",
      "config",
      b.name,
    ) === b.value,
  configmap: (b, m) =>
    get(m.maskObject({ kind: "ConfigMap", data: { [b.name]: b.value } }), "data", b.name) === b.value,
  "text =": (b, m) => b.value.includes("\n") || m.maskText(`${b.name}=${b.value}`) === `${b.name}=${b.value}`,
  "text :": (b, m) =>
    b.value.includes("\n") || m.maskText(`${b.name}: ${b.value}`) === `${b.name}: ${b.value}`,
};

/** Where each benign value was hidden (`placement name=value`), and how many placements were tried. */
export function overMasked(benign: readonly Benign[], masker: Masker): string[] & { total: number } {
  const hidden: string[] = [];
  let total = 0;
  for (const b of benign) {
    for (const [where, kept] of Object.entries(PLACEMENTS)) {
      total++;
      if (!kept(b, masker)) hidden.push(`${where} ${b.name}=${JSON.stringify(b.value.slice(0, 60))}`);
    }
  }
  return Object.assign(hidden, { total });
}
