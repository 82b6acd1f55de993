import { expect } from "chai";
import { CredentialRecord } from "../../domain/credentialRecords";
import { createCachedLookup } from "../../edge/credentialLookup";
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

  it("returns what the store returned, cached or not", async () => {
    const { lookup } = lookupWith([known, null]);
    expect(await lookup(known.publicKey, 0)).to.equal(known);
    expect(await lookup(known.publicKey, 1)).to.equal(known);
    expect(await lookup(unknownKey, 1)).to.equal(null);
    expect(await lookup(unknownKey, 2)).to.equal(null);
  });
});
