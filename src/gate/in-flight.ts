/**
 * Evaluations in progress, so that a shutdown can wait for them: the webhook middleware may have
 * answered GitHub already (it answers 202 past a few seconds) while the evaluation goes on.
 */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = (): void => {
      this.#running.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.#running.size;
  }

  /**
   * Resolves true once every tracked evaluation has settled (including ones that start meanwhile),
   * or false when `timeoutMs` passes first.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const settled = (async (): Promise<true> => {
      while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
      return true;
    })();
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
