import { Lru } from "../github/lru.js";

/**
 * Orders the work of each pull request: jobs for one PR run one at a time, in arrival order, and
 * events for a head older than the newest one known are dropped, so racing events end in the
 * state of the newest head.
 */
export class PullRequestQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #newest: Lru<{ headSha: string; updatedAt: number }>;

  constructor(maxPullRequests = 10_000) {
    this.#newest = new Lru(maxPullRequests);
  }

  /**
   * Records that an event saw `headSha` for PR `key` (with the PR's `updated_at` when the payload
   * has one). Returns false when a newer head is already known: the event is stale.
   */
  observe(key: string, headSha: string, updatedAt?: string): boolean {
    const time = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
    const known = this.#newest.get(key);
    if (known === undefined || known.headSha === headSha) {
      const latest =
        known === undefined || Number.isNaN(known.updatedAt) ? time : Math.max(known.updatedAt, time);
      this.#newest.set(key, { headSha, updatedAt: Number.isNaN(latest) ? time : latest });
      return true;
    }
    // A different head with no time to compare (check_run re-requests): the known head wins.
    if (Number.isNaN(time)) return false;
    if (!Number.isNaN(known.updatedAt) && time < known.updatedAt) return false;
    this.#newest.set(key, { headSha, updatedAt: time });
    return true;
  }

  /** True while `headSha` is the newest head known for PR `key` (or none is known). */
  isNewest(key: string, headSha: string): boolean {
    const known = this.#newest.get(key);
    return known === undefined || known.headSha === headSha;
  }

  /** Runs `job` after every job queued earlier for `key` has settled. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(job, job);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Number of PRs with queued or running work. */
  get busy(): number {
    return this.#tails.size;
  }
}

/** Remembers webhook delivery ids (`X-GitHub-Delivery`), bounded, so a repeated delivery does nothing. */
export class DeliveryDedupe {
  readonly #seen: Lru<true>;

  constructor(maxDeliveries = 10_000) {
    this.#seen = new Lru<true>(maxDeliveries);
  }

  /** Returns true the first time `id` is claimed, false for a repeat. */
  claim(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, true);
    return true;
  }

  /** Forgets `id` (after a failed evaluation, so GitHub's "redeliver" can retry it). */
  release(id: string): void {
    this.#seen.delete(id);
  }
}
