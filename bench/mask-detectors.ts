/**
 * Benchmark section "mask-detectors": where maskText spends its time. For each input of
 * ./mask-inputs.ts, the time of every detector on its own, next to a calibration loop (one pass
 * over the text with a character table), so figures from a loaded machine can still be compared.
 *
 *   MASK_BENCH_ONLY=<substring>  only the inputs whose name contains it
 *   MASK_BENCH_RUNS=<n>          runs per figure, the fastest kept (default 1)
 */
import { createMasker } from "../src/core/mask/masker.js";
import { scanRandomTokens } from "../src/core/mask/entropy-patterns.js";
import { SCANNERS, findSecrets } from "../src/core/mask/text-scanner.js";
import { SpanSink } from "../src/core/mask/span.js";
import { HOSTILE_INPUTS, REALISTIC_INPUTS } from "./mask-inputs.js";

const WORD = new Uint8Array(65536);
for (let c = 48; c < 58; c++) WORD[c] = 1;
for (let c = 65; c < 91; c++) WORD[c] = 1;
for (let c = 97; c < 123; c++) WORD[c] = 1;

/** One table-driven pass over the text: the unit the detectors are compared with. */
function calibrate(text: string): number {
  let runs = 0;
  let previous = 0;
  for (let i = 0; i < text.length; i++) {
    const k = WORD[text.charCodeAt(i)] as number;
    if (k !== 0 && previous === 0) runs++;
    previous = k;
  }
  return runs;
}

function fastest(runs: number, fn: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

export async function run(): Promise<void> {
  const only = process.env.MASK_BENCH_ONLY;
  const runs = Math.max(1, Number(process.env.MASK_BENCH_RUNS ?? 1));
  const detectors: [string, (text: string) => unknown][] = [
    ...SCANNERS.map((scan): [string, (text: string) => unknown] => [
      scan.name.replace(/^scan/, ""),
      (text) => scan(text, new SpanSink()),
    ]),
    [
      "RandomTokens",
      (text) =>
        scanRandomTokens(
          text,
          0,
          (inner, depth) => findSecrets(inner, depth).map((r) => ({ ...r, kind: "encoded-secret" as const })),
          new SpanSink(),
        ),
    ],
  ];
  const inputs = [...HOSTILE_INPUTS, ...REALISTIC_INPUTS].filter(
    ([name]) => only === undefined || name.includes(only),
  );
  const texts = inputs.map(([, make]) => make());
  // A long-running gate masks with V8's optimised code, which can behave unlike the first runs
  // (a loop once took 0.5 s per MB only once optimised): warm every detector on every input first.
  const warmMasker = createMasker({ fingerprintKey: "warm" });
  for (let r = 0; r < 3; r++) {
    for (const text of texts) {
      const head = text.slice(0, 100_000);
      warmMasker.maskText(head);
      for (const [, detect] of detectors) detect(head);
    }
  }
  let worst = { name: "", mbps: Infinity };
  for (const [index, [name]] of inputs.entries()) {
    const text = texts[index] as string;
    const unit = fastest(runs, () => calibrate(text));
    const masker = createMasker({ fingerprintKey: "bench" });
    const total = fastest(runs, () => masker.maskText(text));
    const mbps = text.length / 1e6 / (total / 1000);
    const hostile = HOSTILE_INPUTS.some(([n]) => n === name);
    if (hostile && mbps < worst.mbps) worst = { name, mbps };
    const parts: string[] = [];
    for (const [label, detect] of detectors) {
      const ms = fastest(runs, () => detect(text));
      if (ms >= unit) parts.push(`${label} ${(ms / unit).toFixed(1)}`);
    }
    console.log(
      `${name}: ${total.toFixed(0)} ms, ${mbps.toFixed(1)} MB/s = ${(total / unit).toFixed(1)} units` +
        ` (unit ${unit.toFixed(1)} ms)\n    ${parts.join(", ") || "every detector < 1 unit"}`,
    );
  }
  if (worst.name !== "") console.log(`slowest hostile input: ${worst.name} at ${worst.mbps.toFixed(1)} MB/s`);
}
