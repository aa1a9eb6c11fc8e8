import { describe, expect, it } from "vitest";
import { DeliveryDedupe, PullRequestQueue } from "../../src/gate/work-queue.js";

describe("PullRequestQueue.observe", () => {
  it.each([
    // First sight of a PR: accepted.
    [[], ["h1", "2026-01-01T00:00:00Z"], true],
    // The same head again (a review on it): accepted.
    [[["h1", "2026-01-01T00:00:00Z"]], ["h1", "2026-01-01T00:00:00Z"], true],
    // A newer head: accepted.
    [[["h1", "2026-01-01T00:00:00Z"]], ["h2", "2026-01-01T01:00:00Z"], true],
    // An older head arriving late: stale.
    [[["h2", "2026-01-01T01:00:00Z"]], ["h1", "2026-01-01T00:00:00Z"], false],
    // A different head with no time (check_run re-request): the known head wins.
    [[["h2", "2026-01-01T01:00:00Z"]], ["h1", undefined], false],
  ] as [string[][], [string, string | undefined], boolean][])(
    "after %j, %j → %s",
    (seen, [head, at], expected) => {
      const queue = new PullRequestQueue();
      for (const [h, t] of seen) queue.observe("pr", h as string, t);
      expect(queue.observe("pr", head, at)).toBe(expected);
    },
  );
});

describe("PullRequestQueue.run", () => {
  it("runs the jobs of one PR one at a time, so racing events end in the newest head's state", async () => {
    const queue = new PullRequestQueue();
    const state: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    queue.observe("pr", "old", "2026-01-01T00:00:00Z");
    const first = queue.run("pr", async () => {
      await gate; // the older head's evaluation is slow
      if (queue.isNewest("pr", "old")) state.push("old");
    });
    queue.observe("pr", "new", "2026-01-01T01:00:00Z");
    const second = queue.run("pr", async () => {
      state.push("new");
    });
    release();
    await Promise.all([first, second]);
    // The slow, older evaluation saw that a newer head exists and published nothing.
    expect(state).toEqual(["new"]);
    expect(queue.busy).toBe(0);
  });

  it("keeps going after a failed job", async () => {
    const queue = new PullRequestQueue();
    await expect(queue.run("pr", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(queue.run("pr", async () => 42)).resolves.toBe(42);
  });
});

describe("DeliveryDedupe", () => {
  it("claims a delivery once, and again only after release", () => {
    const d = new DeliveryDedupe(10);
    expect(d.claim("x")).toBe(true);
    expect(d.claim("x")).toBe(false);
    d.release("x");
    expect(d.claim("x")).toBe(true);
  });
});
