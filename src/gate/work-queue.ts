import { Lru } from "../github/lru.js";

/** How an event's head compares with the newest head known for its PR. */
export type HeadOrder = "current" | "stale" | "tie";

interface KnownHead {
  headSha: string;
  updatedAt: number;
  /** Heads known to be older than this one (from synchronize's `before`), most recent last. */
  older: string[];
}

/** Older heads remembered per PR: enough for any realistic burst of pushes. */
const MAX_OLDER_HEADS = 50;

/**
 * Orders the work of each pull request: jobs for one PR run one at a time, in arrival order, and
 * events for a head older than the newest one known are dropped, so racing events end in the
 * state of the newest head.
 *
 * GitHub's `updated_at` has one-second resolution, so two heads pushed within a second tie. Heads
 * are ordered first by what cannot tie, the push chain (`synchronize` names the head it replaced),
 * then by time; a tie nothing else decides is reported as such, and the caller reads the PR.
 */
export class PullRequestQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #newest: Lru<KnownHead>;

  constructor(maxPullRequests = 10_000) {
    this.#newest = new Lru(maxPullRequests);
  }

  /**
   * Records that an event saw `headSha` for PR `key`, with the PR's `updated_at` when the payload
   * has one and, for a push, the head it replaced. Returns "stale" when a newer head is known,
   * "tie" when another head holds the same second and nothing orders them (call `settle` once the
   * PR's real head is read), else "current".
   */
  observe(key: string, headSha: string, updatedAt?: string, previousHead?: string): HeadOrder {
    const time = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
    const known = this.#newest.get(key);
    if (known?.older.includes(headSha) === true) return "stale";
    const replaced = previousHead !== undefined && previousHead !== headSha ? [previousHead] : [];
    if (known === undefined || known.headSha === headSha) {
      const latest =
        known === undefined || Number.isNaN(known.updatedAt) ? time : Math.max(known.updatedAt, time);
      this.#set(key, headSha, Number.isNaN(latest) ? time : latest, [...(known?.older ?? []), ...replaced]);
      return "current";
    }
    // The push chain says this head replaced the known one: newer, whatever the clock says.
    if (replaced.includes(known.headSha)) {
      this.#set(key, headSha, Number.isNaN(time) ? known.updatedAt : time, [...known.older, known.headSha]);
      return "current";
    }
    // A different head with no time to compare (check_run re-requests): the known head wins.
    if (Number.isNaN(time)) return "stale";
    if (!Number.isNaN(known.updatedAt) && time < known.updatedAt) return "stale";
    if (time === known.updatedAt) return "tie";
    this.#set(key, headSha, time, [...known.older, known.headSha, ...replaced]);
    return "current";
  }

  /**
   * Settles a tie: `headSha` is PR `key`'s head as read from GitHub, so the known head and the tied
   * one (`tied`) are older unless they are it.
   */
  settle(key: string, headSha: string, tied: string, updatedAt?: string): void {
    const known = this.#newest.get(key);
    const time = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
    const older = [...(known?.older ?? []), ...(known === undefined ? [] : [known.headSha]), tied];
    const latest =
      known === undefined || Number.isNaN(time)
        ? (known?.updatedAt ?? time)
        : Math.max(time, known.updatedAt);
    this.#set(key, headSha, latest, older);
  }

  #set(key: string, headSha: string, updatedAt: number, older: string[]): void {
    const unique = [...new Set(older.filter((h) => h !== headSha))].slice(-MAX_OLDER_HEADS);
    this.#newest.set(key, { headSha, updatedAt, older: unique });
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
