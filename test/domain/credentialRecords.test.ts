import { expect } from "chai";
import {
  CredentialItem,
  CredentialRecord,
  credentialFromItem,
  credentialToItem,
  keyAllowsProject,
} from "../../domain/credentialRecords";
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

  it("writes the scope and the projects, and reads them back", () => {
    const publisher = makeKey({ scope: "publish", projects: ["demo", "other-lib"] });
    const written = credentialToItem(publisher.record);
    expect(written.scope).to.deep.equal({ S: "publish" });
    expect(written.projects).to.deep.equal({ SS: ["demo", "other-lib"] });
    expect(credentialFromItem(written)).to.deep.equal(publisher.record);
  });

  it("reads an item written before scopes (no scope, no projects) as a read key for every project", () => {
    const old = credentialToItem(makeKey().record);
    delete old.scope;
    const record = credentialFromItem(old)!;
    expect(record.scope).to.equal("read");
    expect(record).not.to.have.property("projects");
  });

  // Each of these must be refused, never read as a weaker record: a channel or project
  // restriction that cannot be read would otherwise become "every channel" or "every project",
  // and an unreadable scope must not be guessed., never read as a weaker record: a channel restriction that
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
    ["an unknown scope", { ...item, scope: { S: "admin" } }],
    ["a scope in capitals", { ...item, scope: { S: "Publish" } }],
    ["an empty scope", { ...item, scope: { S: "" } }],
    ["a scope stored as a set", { ...item, scope: { SS: ["read"] } }],
    ["a scope stored as a number", { ...item, scope: { N: "1" } }],
    ["projects stored as a string", { ...item, projects: { S: "demo" } }],
    ["projects stored as a list", { ...item, projects: { L: [{ S: "demo" }] } } as CredentialItem],
    ["an empty project set", { ...item, projects: { SS: [] } }],
    ["a project not in normalized form", { ...item, projects: { SS: ["demo", "Other_Lib"] } }],
    ["a project that is not a name", { ...item, projects: { SS: ["../globex"] } }],
    ["a project with a space", { ...item, projects: { SS: ["my project"] } }],
  ];
  for (const [what, broken] of malformed) {
    it(`refuses an item with ${what}`, () => {
      expect(credentialFromItem(broken)).to.equal(undefined);
    });
  }
});

describe("credentials: which projects a key may read", () => {
  const base = makeKey().record;
  const cases: [string, Partial<CredentialRecord>, string, boolean][] = [
    ["an unrestricted read key, any project", {}, "demo", true],
    ["an unrestricted publish key, any project", { scope: "publish" }, "other-lib", true],
    ["a key for demo, demo", { projects: ["demo"] }, "demo", true],
    ["a key for demo, another project", { projects: ["demo"] }, "other-lib", false],
    ["a key for demo, a project whose name contains it", { projects: ["demo"] }, "demo-extra", false],
    ["a key for demo,other-lib, the second", { projects: ["demo", "other-lib"] }, "other-lib", true],
    ["a publish key for demo, another project", { scope: "publish", projects: ["demo"] }, "x", false],
  ];
  for (const [what, restriction, project, allowed] of cases) {
    it(`${what}: ${allowed ? "allowed" : "refused"}`, () => {
      expect(keyAllowsProject({ ...base, ...restriction }, project)).to.equal(allowed);
    });
  }
});
