import { expect } from "chai";
import { CredentialRecord } from "../../domain/credentialRecords";
import {
  CORRUPT_RECORD,
  CredentialStore,
  LOOKUP_BUDGET_EXCEEDED,
  createCachedLookup,
} from "../../edge/credentialLookup";
import { makeKey } from "../../fixtures/edgeKeys";

describe("createCachedLookup", () => {
  const known = makeKey().record;
  const unknownKey = makeKey().publicKey;

  function lookupWith(answers: (CredentialRecord | null | Error)[]) {
    const calls: string[] = [];
    const lookup = createCachedLookup(
      {
        async get(publicKey) {
          calls.push(publicKey);
          const answer = answers.shift();
          if (answer instanceof Error) throw answer;
          return answer ?? null;
        },
      },
      { validTtlMs: 60_000, unknownTtlMs: 10_000 },
    );
    return { lookup, calls };
  }

  const cases: [string, (CredentialRecord | null | Error)[], [string, number][], number][] = [
    [
      "a found key within its TTL",
      [known],
      [
        [known.publicKey, 0],
        [known.publicKey, 59_999],
      ],
      1,
    ],
    [
      "a found key after its TTL",
      [known, known],
      [
        [known.publicKey, 0],
        [known.publicKey, 60_000],
      ],
      2,
    ],
    [
      "an unknown key within its TTL",
      [null],
      [
        [unknownKey, 0],
        [unknownKey, 9_999],
      ],
      1,
    ],
    [
      "an unknown key after its TTL",
      [null, null],
      [
        [unknownKey, 0],
        [unknownKey, 10_000],
      ],
      2,
    ],
    [
      "a failed lookup (never cached)",
      [new Error("down"), known],
      [
        [known.publicKey, 0],
        [known.publicKey, 1],
      ],
      2,
    ],
  ];
  for (const [what, answers, requests, expectedCalls] of cases) {
    it(`${what}: ${expectedCalls} store call(s)`, async () => {
      const { lookup, calls } = lookupWith([...answers]);
      for (const [publicKey, now] of requests) await lookup(publicKey, now).catch(() => undefined);
      expect(calls).to.have.length(expectedCalls);
    });
  }

  it("caches a corrupt item like an unknown key, and says which it was", async () => {
    const { lookup, calls } = lookupWith([CORRUPT_RECORD as unknown as null]);
    expect(await lookup(unknownKey, 0)).to.equal(CORRUPT_RECORD);
    expect(await lookup(unknownKey, 9_999)).to.equal(CORRUPT_RECORD);
    expect(calls).to.have.length(1);
  });

  it("returns what the store returned, cached or not", async () => {
    const { lookup } = lookupWith([known, null]);
    expect(await lookup(known.publicKey, 0)).to.equal(known);
    expect(await lookup(known.publicKey, 1)).to.equal(known);
    expect(await lookup(unknownKey, 1)).to.equal(null);
    expect(await lookup(unknownKey, 2)).to.equal(null);
  });
});

describe("createCachedLookup under a flood of made-up keys", () => {
  const valid = makeKey().record;
  /** A store that knows one key and counts every lookup. */
  function countingStore(): CredentialStore & { lookups: number } {
    const store = {
      lookups: 0,
      async get(publicKey: string) {
        store.lookups++;
        return publicKey === valid.publicKey ? valid : null;
      },
    };
    return store;
  }
  const options = { validTtlMs: 60_000, unknownTtlMs: 10_000, unknownLookupsPerSecond: 10, maxEntries: 100 };

  it("never evicts a found key, and bounds lookups of unknown keys to the rate (burst included)", async () => {
    const store = countingStore();
    const lookup = createCachedLookup(store, options);
    expect(await lookup(valid.publicKey, 0)).to.equal(valid);
    let overBudget = 0;
    // 3,000 distinct made-up keys, 1,000 in each of 3 seconds, the valid key asked between each.
    for (let i = 0; i < 3000; i++) {
      const now = Math.floor(i / 1000) * 1000;
      if ((await lookup(makeKey().publicKey, now)) === LOOKUP_BUDGET_EXCEEDED) overBudget++;
      expect(await lookup(valid.publicKey, now)).to.equal(valid);
    }
    // The burst of 10 (one spent on the valid key's first lookup), then 10 per second.
    expect(store.lookups).to.equal(1 + 9 + 10 + 10);
    expect(overBudget).to.equal(3000 - 29);
  });

  it("refreshes an expired found key outside the budget, so a flood cannot lock a real key out", async () => {
    const store = countingStore();
    const lookup = createCachedLookup(store, { ...options, unknownLookupsPerSecond: 1 });
    expect(await lookup(valid.publicKey, 0)).to.equal(valid);
    expect(await lookup(makeKey().publicKey, 0)).to.equal(LOOKUP_BUDGET_EXCEEDED);
    expect(await lookup(makeKey().publicKey, 1000)).to.equal(null);
    expect(await lookup(makeKey().publicKey, 60_000)).to.equal(null);
    expect(await lookup(makeKey().publicKey, 60_000)).to.equal(LOOKUP_BUDGET_EXCEEDED);
    // The budget is spent, yet the valid key's expired entry is refreshed.
    expect(await lookup(valid.publicKey, 60_000)).to.equal(valid);
    expect(store.lookups).to.equal(4);
  });

  it("keeps the negative cache to its bound without touching found keys", async () => {
    const store = countingStore();
    const lookup = createCachedLookup(store, { ...options, unknownLookupsPerSecond: 1_000_000 });
    await lookup(valid.publicKey, 0);
    for (let i = 0; i < 500; i++) await lookup(makeKey().publicKey, 0);
    const before = store.lookups;
    expect(await lookup(valid.publicKey, 1)).to.equal(valid);
    expect(store.lookups).to.equal(before);
  });
});
