import { expect } from "chai";
import { generateKey } from "../../domain/keyScheme";
import { denialLogLine, publicKeyPrefix } from "../../edge/log";

describe("denial log lines", () => {
  const key = generateKey();

  it("are one JSON line with the reason, status, key prefix and request id", () => {
    const line = denialLogLine({
      status: 401,
      reason: "wrong-secret",
      username: key.publicKey,
      requestId: "abc",
    });
    expect(line).not.to.include("\n");
    expect(JSON.parse(line)).to.deep.equal({
      event: "denied",
      status: 401,
      reason: "wrong-secret",
      keyPrefix: key.publicKey.slice(0, 12),
      requestId: "abc",
    });
  });

  const usernames: [string, string | undefined, string | undefined][] = [
    ["a public key", key.publicKey, key.publicKey.slice(0, 12)],
    ["a secret typed as the username", key.secretKey, undefined],
    ["an arbitrary name", "alice", undefined],
    ["nothing", undefined, undefined],
    ["a public key with trailing junk", `${key.publicKey}x`, undefined],
  ];
  for (const [what, username, prefix] of usernames) {
    it(`log ${prefix ? "a prefix" : "no key"} for ${what}`, () => {
      expect(publicKeyPrefix(username)).to.equal(prefix);
      const line = denialLogLine({ status: 401, reason: "r", username });
      if (username) expect(line.includes(username)).to.equal(false);
    });
  }
});
