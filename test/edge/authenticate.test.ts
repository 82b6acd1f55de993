/**
 * The key checker's verified-secret digest: kept per record object the lookup returns, compared in
 * constant time, gone when the lookup refreshes the record (rotation, revocation, expiry still
 * decided on every request from the record).
 */
import { expect } from "chai";
import { CredentialRecord } from "../../domain/credentialRecords";
import { generateKey } from "../../domain/keyScheme";
import { Authentication, createKeyAuthenticator } from "../../edge/authenticate";
import { NOW_SECONDS, makeKey } from "../../fixtures/edgeKeys";

const NOW_MS = NOW_SECONDS * 1000;

/** A checker whose lookup answers the record `current()` returns at the time of each request. */
function checkerOver(current: () => CredentialRecord) {
  return createKeyAuthenticator(async () => current());
}

function outcome(auth: Authentication): string {
  return auth.ok ? "ok" : auth.reason;
}

describe("createKeyAuthenticator: verified secrets", () => {
  it("accepts the verified secret by its digest: the stored hash is not consulted again for that record", async () => {
    const key = makeKey();
    const record = { ...key.record };
    const check = checkerOver(() => record);
    const right = { username: key.publicKey, password: key.secretKey };
    expect(outcome(await check(right, NOW_MS))).to.equal("ok");
    // The record object's hash no longer matches anything: only the digest can accept the secret now.
    (record as { secretHash: string }).secretHash = generateKey().secretHash;
    expect(outcome(await check(right, NOW_MS))).to.equal("ok");
    const wrong = { username: key.publicKey, password: makeKey().secretKey };
    expect(outcome(await check(wrong, NOW_MS))).to.equal("wrong-secret");
  });

  it("a refreshed record starts over: a rotated secret is refused at once, the new one accepted", async () => {
    const key = makeKey();
    const rotated = generateKey();
    let record: CredentialRecord = key.record;
    const check = checkerOver(() => record);
    expect(outcome(await check({ username: key.publicKey, password: key.secretKey }, NOW_MS))).to.equal("ok");
    record = { ...key.record, salt: rotated.salt, secretHash: rotated.secretHash };
    expect(outcome(await check({ username: key.publicKey, password: key.secretKey }, NOW_MS))).to.equal(
      "wrong-secret",
    );
    expect(outcome(await check({ username: key.publicKey, password: rotated.secretKey }, NOW_MS))).to.equal(
      "ok",
    );
  });

  const later: [string, Partial<CredentialRecord>, string][] = [
    ["revoked", { revokedAt: NOW_SECONDS - 1 }, "revoked"],
    ["expired", { expiresAt: NOW_SECONDS }, "expired"],
    ["moved to an invalid tenant", { tenant: "../x" }, "invalid-tenant"],
  ];
  for (const [what, change, reason] of later) {
    it(`a verified key whose refreshed record is ${what} is refused (${reason})`, async () => {
      const key = makeKey();
      let record: CredentialRecord = key.record;
      const check = checkerOver(() => record);
      const right = { username: key.publicKey, password: key.secretKey };
      expect(outcome(await check(right, NOW_MS))).to.equal("ok");
      record = { ...key.record, ...change };
      expect(outcome(await check(right, NOW_MS))).to.equal(reason);
    });
  }

  it("a wrong secret first leaves nothing behind: the right one is still verified", async () => {
    const key = makeKey();
    const check = checkerOver(() => key.record);
    const wrong = { username: key.publicKey, password: makeKey().secretKey };
    expect(outcome(await check(wrong, NOW_MS))).to.equal("wrong-secret");
    expect(outcome(await check({ username: key.publicKey, password: key.secretKey }, NOW_MS))).to.equal("ok");
    expect(outcome(await check(wrong, NOW_MS))).to.equal("wrong-secret");
  });
});
