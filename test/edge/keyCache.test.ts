import { expect } from "chai";
import { createKeyCache } from "../../edge/keyCache";

describe("createKeyCache", () => {
  it("returns a value until its TTL has passed, then misses and forgets it", () => {
    const cache = createKeyCache<string>();
    cache.set("k", "v", 1000, 0);
    const steps: [number, string | undefined][] = [
      [0, "v"],
      [999, "v"],
      [1000, undefined],
    ];
    for (const [now, expected] of steps) expect(cache.get("k", now), `at ${now} ms`).to.equal(expected);
    expect(cache.size()).to.equal(0);
  });

  it("caches null (a known-unknown key) as a hit", () => {
    const cache = createKeyCache<string | null>();
    cache.set("k", null, 1000, 0);
    expect(cache.get("k", 1)).to.equal(null);
    expect(cache.get("other", 1)).to.equal(undefined);
  });

  it("caches nothing for a TTL of zero or less", () => {
    const cache = createKeyCache<string>();
    cache.set("a", "v", 0, 0);
    cache.set("b", "v", -5, 0);
    expect(cache.size()).to.equal(0);
  });

  it("stays within its bound, evicting the oldest entry first", () => {
    const cache = createKeyCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, 60_000, 0);
    expect(cache.size()).to.equal(3);
    expect([0, 6, 7, 8, 9].map((i) => cache.get(`k${i}`, 1))).to.deep.equal([undefined, undefined, 7, 8, 9]);
  });

  it("refreshing a key moves it to the back of the eviction order", () => {
    const cache = createKeyCache<number>(2);
    cache.set("a", 1, 60_000, 0);
    cache.set("b", 2, 60_000, 0);
    cache.set("a", 3, 60_000, 0);
    cache.set("c", 4, 60_000, 0);
    expect([cache.get("a", 1), cache.get("b", 1), cache.get("c", 1)]).to.deep.equal([3, undefined, 4]);
  });

  it("peek keeps an expired entry (marked stale) until it is deleted; get forgets it", () => {
    const cache = createKeyCache<string>();
    cache.set("k", "v", 1000, 0);
    expect(cache.peek("k", 999)).to.deep.equal({ value: "v", fresh: true });
    expect(cache.peek("k", 1000)).to.deep.equal({ value: "v", fresh: false });
    expect(cache.peek("k", 5000)).to.deep.equal({ value: "v", fresh: false });
    cache.delete("k");
    expect(cache.peek("k", 5000)).to.equal(undefined);
    cache.set("j", "w", 1000, 0);
    expect(cache.get("j", 1000)).to.equal(undefined);
    expect(cache.peek("j", 1000)).to.equal(undefined);
  });
});
