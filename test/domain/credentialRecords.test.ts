import { expect } from "chai";
import { CredentialItem, credentialFromItem, credentialToItem } from "../../domain/credentialRecords";
import { secretMatches } from "../../domain/keyScheme";
import { makeKey } from "../../fixtures/edgeKeys";

describe("credentials: table item ↔ record", () => {
  const key = makeKey({ channels: ["main", "feature-x"], expiresAt: 2_000_000_000, description: "ci" });
  const item = credentialToItem(key.record);

  it("reads back exactly the record it wrote", () => {
    expect(credentialFromItem(item)).to.deep.equal(key.record);
    expect(secretMatches(key.secretKey, credentialFromItem(item)!)).to.equal(true);
  });

  it("reads an item without channels as a key for every channel of its tenant", () => {
    const unrestricted = makeKey();
    expect(credentialToItem(unrestricted.record)).not.to.have.property("channels");
    expect(credentialFromItem(credentialToItem(unrestricted.record))).to.deep.equal(unrestricted.record);
  });

  // Each of these must be refused, never read as a weaker record: a channel restriction that
  // cannot be read would otherwise become "every channel".
  const malformed: [string, CredentialItem][] = [
    ["channels stored as a list", { ...item, channels: { L: [{ S: "feature-x" }] } } as CredentialItem],
    ["channels stored as a string", { ...item, channels: { S: "feature-x" } }],
    ["channels stored as a number", { ...item, channels: { N: "1" } }],
    ["an empty channel set", { ...item, channels: { SS: [] } }],
    ["a channel with capitals and a space", { ...item, channels: { SS: ["main", "Feature X"] } }],
    ["a channel escaping the prefix", { ...item, channels: { SS: ["../x"] } }],
    ["a reserved channel name", { ...item, channels: { SS: ["simple"] } }],
    ["a tenant escaping the prefix", { ...item, tenant: { S: "../etc" } }],
    ["a tenant with capitals", { ...item, tenant: { S: "Acme" } }],
    ["a tenant stored as a number", { ...item, tenant: { N: "1" } }],
    ["no tenant", { ...item, tenant: {} }],
    ["an unknown hash scheme", { ...item, scheme: { S: "md5" } }],
    ["no salt", { ...item, salt: {} }],
    ["no secret hash", { ...item, secretHash: {} }],
    ["createdAt that is not a number", { ...item, createdAt: { N: "soon" } }],
    ["expiresAt stored as a string", { ...item, expiresAt: { S: "2030-01-01" } }],
    ["revokedAt that is not a number", { ...item, revokedAt: { N: "never" } }],
  ];
  for (const [what, broken] of malformed) {
    it(`refuses an item with ${what}`, () => {
      expect(credentialFromItem(broken)).to.equal(undefined);
    });
  }
});
