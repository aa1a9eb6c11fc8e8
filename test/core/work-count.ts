/**
 * A deterministic measure of work, for tests that must prove bounded or linear behaviour without
 * reading the clock (the test machine is shared and its speed varies). While `run` runs, every
 * call of the usual linear-scan array methods counts the array's length, and every Set/Map look-up
 * or insertion counts one. A quadratic scan shows as work growing with the square of the input.
 */
const ARRAY_SCANS = ["some", "every", "find", "findIndex", "includes", "indexOf", "filter"] as const;
const KEYED = [
  [Set.prototype, ["has", "add"]],
  [Map.prototype, ["has", "get", "set"]],
] as const;

export function countWork<T>(run: () => T): { result: T; work: number } {
  let work = 0;
  const restore: (() => void)[] = [];
  const patch = (target: object, name: string, cost: (self: unknown) => number) => {
    const holder = target as Record<string, unknown>;
    const original = holder[name] as (...args: unknown[]) => unknown;
    holder[name] = function (this: unknown, ...args: unknown[]) {
      work += cost(this);
      return original.apply(this, args);
    };
    restore.push(() => {
      holder[name] = original;
    });
  };
  for (const name of ARRAY_SCANS) patch(Array.prototype, name, (self) => (self as unknown[]).length);
  for (const [prototype, names] of KEYED) for (const name of names) patch(prototype, name, () => 1);
  try {
    return { result: run(), work };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

/** Work for input size n and 2n: linear work roughly doubles, quadratic work quadruples. */
export function growth(make: (n: number) => () => unknown, n: number): number {
  const small = countWork(make(n)).work;
  const large = countWork(make(2 * n)).work;
  return large / Math.max(small, 1);
}
