import { expect } from "chai";
import { generateKey } from "../../edge/credentials";
import { createSecretVerifier } from "../../edge/secretVerifier";
import { makeKey } from "./fixtures";

describe("createSecretVerifier", () => {
  const key = makeKey();
  const other = generateKey().secretKey;

  it("accepts the right secret and refuses others, before and after a success", () => {
    const verify = createSecretVerifier();
    const steps: [string, boolean][] = [
      [other, false],
      [key.secretKey, true],
      [key.secretKey, true],
      [other, false],
      [key.secretKey.slice(0, -1), false],
      ["", false],
    ];
    for (const [secret, expected] of steps) expect(verify(secret, key.record), secret).to.equal(expected);
  });

  it("remembers a success per record object only: a re-read record is checked against its own hash", () => {
    const verify = createSecretVerifier();
    expect(verify(key.secretKey, key.record)).to.equal(true);
    const rotated = { ...key.record, secretHash: generateKey().secretHash };
    expect(verify(key.secretKey, rotated)).to.equal(false);
  });

  it("keeps separate memories per verifier (per container)", () => {
    createSecretVerifier()(key.secretKey, key.record);
    const fresh = createSecretVerifier();
    expect(fresh(other, key.record)).to.equal(false);
  });
});
