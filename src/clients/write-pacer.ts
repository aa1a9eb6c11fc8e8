/**
 * Paces GitHub writes per installation: a token bucket that lets a short burst through at once and
 * then one write per interval. Plugged into @octokit/plugin-throttling as its `write` group (the
 * plugin calls `key(id).schedule(options, fn)` before each write, `id` being the installation).
 *
 * Why not the plugin's own write group: it spaces every write a full second apart, so a verdict
 * and its comment always cost a second, and concurrent PRs of one installation queue behind each
 * other. GitHub's secondary limits (80 content-creating requests a minute, writes at 5 of the 900
 * points a minute) are about sustained rates: a burst of a few writes, then one a second, stays
 * well inside them: a burst of 8, then one a second, is at most 68 writes in the first minute.
 */
import { Lru } from "../github/lru.js";

export interface WritePacerOptions {
  /** Writes let through at once after a quiet period. */
  burst?: number;
  /** Sustained pace: one write per this many milliseconds. */
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Installations remembered (bounded: one bucket each). */
  maxKeys?: number;
}

/** The part of a Bottleneck limiter the throttling plugin calls. */
export interface PacedLimiter {
  schedule<T>(options: { weight?: number }, fn: () => Promise<T> | T): Promise<T>;
}

/** The part of a Bottleneck group the throttling plugin calls. */
export interface PacedGroup {
  key(id?: string): PacedLimiter;
}

export const DEFAULT_WRITE_BURST = 8;
export const DEFAULT_WRITE_INTERVAL_MS = 1_000;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class TokenBucket implements PacedLimiter {
  #tokens: number;
  #updated: number;
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.#tokens = burst;
    this.#updated = now();
  }

  async schedule<T>(options: { weight?: number }, fn: () => Promise<T> | T): Promise<T> {
    // The plugin retries with weight 0: a retry already waited for its turn.
    if (options.weight !== 0) {
      // First come, first served: each write waits for the one queued before it.
      const turn = this.#tail.then(() => this.#take());
      this.#tail = turn.catch(() => undefined);
      await turn;
    }
    return fn();
  }

  async #take(): Promise<void> {
    this.#refill();
    if (this.#tokens < 1) {
      await this.sleep(Math.ceil((1 - this.#tokens) * this.intervalMs));
      this.#refill();
    }
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  #refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.#updated);
    this.#updated = now;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed / this.intervalMs);
  }
}

/** A pacer with one bucket per key (installation). */
export function createWritePacer(options: WritePacerOptions = {}): PacedGroup {
  const burst = options.burst ?? DEFAULT_WRITE_BURST;
  const intervalMs = options.intervalMs ?? DEFAULT_WRITE_INTERVAL_MS;
  if (!(burst >= 1) || !(intervalMs > 0)) {
    throw new Error(
      `creating the write pacer: burst must be >= 1 and interval > 0, got ${burst}, ${intervalMs}`,
    );
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const buckets = new Lru<TokenBucket>(options.maxKeys ?? 10_000);
  return {
    key(id = "") {
      let bucket = buckets.get(id);
      if (bucket === undefined) {
        bucket = new TokenBucket(burst, intervalMs, now, sleep);
        buckets.set(id, bucket);
      }
      return bucket;
    },
  };
}

/** A group that never waits: GraphQL reads go through it (they are reads, not writes). */
export const UNPACED: PacedGroup = {
  key: () => ({ schedule: async (_options, fn) => fn() }),
};
