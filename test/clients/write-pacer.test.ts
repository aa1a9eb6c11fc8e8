import { describe, expect, it } from "vitest";
import { createWritePacer } from "../../src/clients/write-pacer.js";

/** A clock that only moves when the pacer sleeps, recording each sleep. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("createWritePacer", () => {
  it("lets a burst through at once, then one write per interval, in arrival order", async () => {
    const time = fakeTime();
    const pacer = createWritePacer({ burst: 3, intervalMs: 1000, now: time.now, sleep: time.sleep });
    const order: number[] = [];
    const limiter = pacer.key("2");
    await Promise.all([1, 2, 3, 4, 5].map((n) => limiter.schedule({}, () => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    // three from the bucket, then a second each for the fourth and the fifth
    expect(time.sleeps).toEqual([1000, 1000]);
  });

  it("refills with quiet time, up to the burst", async () => {
    const time = fakeTime();
    const pacer = createWritePacer({ burst: 2, intervalMs: 1000, now: time.now, sleep: time.sleep });
    const limiter = pacer.key("2");
    for (let i = 0; i < 2; i++) await limiter.schedule({}, () => undefined);
    time.advance(60_000);
    for (let i = 0; i < 3; i++) await limiter.schedule({}, () => undefined);
    // a minute of quiet buys two writes, not sixty
    expect(time.sleeps).toEqual([1000]);
  });

  it("keeps one bucket per installation", async () => {
    const time = fakeTime();
    const pacer = createWritePacer({ burst: 1, intervalMs: 1000, now: time.now, sleep: time.sleep });
    await pacer.key("2").schedule({}, () => undefined);
    await pacer.key("3").schedule({}, () => undefined);
    expect(time.sleeps).toEqual([]);
    await pacer.key("2").schedule({}, () => undefined);
    expect(time.sleeps).toEqual([1000]);
  });

  it("does not charge a retry (weight 0) again", async () => {
    const time = fakeTime();
    const pacer = createWritePacer({ burst: 1, intervalMs: 1000, now: time.now, sleep: time.sleep });
    const limiter = pacer.key("2");
    await limiter.schedule({}, () => undefined);
    await limiter.schedule({ weight: 0 }, () => undefined);
    expect(time.sleeps).toEqual([]);
  });

  it("refuses a pace that would never let a write through", () => {
    expect(() => createWritePacer({ burst: 0 })).toThrow("burst must be >= 1");
  });
});
