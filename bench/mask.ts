/** Benchmark section "mask": maskText throughput on hostile and realistic 10 MB inputs. */
import { createMasker } from "../src/core/mask/masker.js";

const SIZE = 10_000_000;

function repeat(unit: string): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
}

const INPUTS: [string, () => string][] = [
  ["10 MB of 'a'", () => repeat("a")],
  ["10 MB of '-----BEGIN '", () => repeat("-----BEGIN ")],
  ["10 MB of 'eyJ'", () => repeat("eyJ")],
  ["10 MB of 'a://'", () => repeat("a://")],
  ["10 MB of 'password='", () => repeat("password=")],
  ["10 MB of ':='", () => repeat(":=")],
  ["10 MB of unterminated private keys", () => repeat("-----BEGIN PRIVATE KEY-----\n")],
  [
    "10 MB of log lines with a secret each",
    () => repeat("ts=1 level=info msg=login user=bob password=hunter2\n"),
  ],
  ["10 MB of distinct AWS key ids", () => repeat("AKIAIOSFODNN7EXAMPLE ")],
];

export async function run(): Promise<void> {
  const masker = createMasker({ fingerprintKey: "bench" });
  for (const [name, make] of INPUTS) {
    const text = make();
    const start = performance.now();
    masker.maskText(text);
    const ms = performance.now() - start;
    const mbps = text.length / 1e6 / (ms / 1000);
    console.log(`maskText ${name}: ${ms.toFixed(0)} ms (${mbps.toFixed(1)} MB/s)`);
  }
}
