import { describe, expect, it } from "vitest";
import { DeliveryDedupe, PullRequestQueue } from "../../src/gate/work-queue.js";

describe("PullRequestQueue.observe", () => {
  it.each([
    // First sight of a PR: accepted.
    [[], ["h1", "2026-01-01T00:00:00Z"], "current"],
    // The same head again (a review on it): accepted.
    [[["h1", "2026-01-01T00:00:00Z"]], ["h1", "2026-01-01T00:00:00Z"], "current"],
    // A newer head: accepted.
    [[["h1", "2026-01-01T00:00:00Z"]], ["h2", "2026-01-01T01:00:00Z"], "current"],
    // An older head arriving late: stale.
    [[["h2", "2026-01-01T01:00:00Z"]], ["h1", "2026-01-01T00:00:00Z"], "stale"],
    // A different head with no time (check_run re-request): the known head wins.
    [[["h2", "2026-01-01T01:00:00Z"]], ["h1", undefined], "stale"],
    // Two heads in the same second, nothing else to order them: the caller must read the PR.
    [[["h2", "2026-01-01T01:00:00Z"]], ["h1", "2026-01-01T01:00:00Z"], "tie"],
    // The push chain orders a same-second pair: h2 replaced h1, so a late h1 is stale.
    [[["h2", "2026-01-01T01:00:00Z", "h1"]], ["h1", "2026-01-01T01:00:00Z"], "stale"],
    // ... and h2 replacing the known h1 in the same second is current.
    [[["h1", "2026-01-01T01:00:00Z"]], ["h2", "2026-01-01T01:00:00Z", "h1"], "current"],
    // ... even when h2's clock reads earlier.
    [[["h1", "2026-01-01T01:00:01Z"]], ["h2", "2026-01-01T01:00:00Z", "h1"], "current"],
  ] as [string[][], [string, string | undefined, string?], string][])(
    "after %j, %j → %s",
    (seen, [head, at, before], expected) => {
      const queue = new PullRequestQueue();
      for (const [h, t, b] of seen) queue.observe("pr", h as string, t, b);
      expect(queue.observe("pr", head, at, before)).toBe(expected);
    },
  );

  it("after a tie settled by reading the PR, the losing head is stale and the winner current", () => {
    const queue = new PullRequestQueue();
    queue.observe("pr", "h2", "2026-01-01T01:00:00Z");
    expect(queue.observe("pr", "h1", "2026-01-01T01:00:00Z")).toBe("tie");
    queue.settle("pr", "h2", "h1", "2026-01-01T01:00:00Z");
    expect(queue.observe("pr", "h1", "2026-01-01T01:00:00Z")).toBe("stale");
    expect(queue.isNewest("pr", "h2")).toBe(true);
    // A later re-run of h2's check (no time) is not dropped.
    expect(queue.observe("pr", "h2")).toBe("current");
  });
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
