import { expect } from "chai";
import {
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { credentialFromItem } from "../../domain/credentialRecords";
import { PUBLIC_KEY_PATTERN, SECRET_KEY_PATTERN, secretMatches } from "../../domain/keyScheme";
import { KeysContext, createKey, listKeys, revokeKey, rotateKey } from "../../publishing/customerKeys";
import { MotoIndex, startMotoIndex } from "../../fixtures/motoIndex";

describe("publishing: keys against DynamoDB @integration", () => {
  let fixture: MotoIndex;
  let ctx: KeysContext;
  const now = new Date("2026-06-01T00:00:00Z");
  const nowSeconds = now.getTime() / 1000;
  before(async () => {
    fixture = await startMotoIndex();
    ctx = { dynamodb: fixture.dynamodb, table: fixture.table, now: () => now };
  });
  after(async () => fixture?.stop());

  const item = async (publicKey: string) =>
    (
      await fixture.dynamodb.send(
        new GetItemCommand({ TableName: fixture.table, Key: { publicKey: { S: publicKey } } }),
      )
    ).Item!;
  const rowCount = async () =>
    (await fixture.dynamodb.send(new ScanCommand({ TableName: fixture.table }))).Count;

  it("creates a key the edge's hash module verifies, storing only a salted hash", async () => {
    const key = await createKey(ctx, {
      tenant: "acme",
      channels: ["main", "feature-x"],
      expiresIn: "90d",
      description: "ci",
    });
    expect(key.publicKey).to.match(PUBLIC_KEY_PATTERN);
    expect(key.secretKey).to.match(SECRET_KEY_PATTERN);
    expect(key).to.deep.include({
      tenant: "acme",
      channels: ["feature-x", "main"],
      description: "ci",
      createdAt: "2026-06-01T00:00:00.000Z",
      expiresAt: "2026-08-30T00:00:00.000Z",
      status: "active",
    });
    const stored = await item(key.publicKey);
    expect(JSON.stringify(stored)).to.not.include(key.secretKey);
    const record = credentialFromItem(stored as never)!;
    expect(record).to.deep.include({
      tenant: "acme",
      scheme: "hmac-sha256/v1",
      createdAt: nowSeconds,
      expiresAt: nowSeconds + 90 * 86400,
    });
    expect(secretMatches(key.secretKey, record)).to.equal(true);
    expect(
      secretMatches(key.secretKey.slice(0, -1) + (key.secretKey.endsWith("A") ? "B" : "A"), record),
    ).to.equal(false);
  });

  it("lists keys, by tenant through the tenant index, never with a secret, salt or hash", async () => {
    const a = await createKey(ctx, { tenant: "listed" });
    const b = await createKey(ctx, { tenant: "listed", description: "second" });
    const listed = await listKeys(ctx, { tenant: "listed" });
    expect(listed.map((k) => k.publicKey).sort()).to.deep.equal([a.publicKey, b.publicKey].sort());
    const all = await listKeys(ctx);
    expect(all.length).to.be.greaterThan(listed.length);
    const text = JSON.stringify(all);
    for (const k of [a, b]) {
      const record = credentialFromItem((await item(k.publicKey)) as never)!;
      for (const secret of [k.secretKey, record.salt, record.secretHash]) expect(text).to.not.include(secret);
    }
    for (const summary of all) {
      expect(Object.keys(summary)).to.not.include.members(["secretKey", "salt", "secretHash", "scheme"]);
    }
  });

  it("stores the scope and the normalized, deduplicated projects; a key without them is an unrestricted read key", async () => {
    const publisher = await createKey(ctx, {
      tenant: "acme",
      scope: "publish",
      projects: ["Demo_Pkg", "demo-pkg", "other.lib"],
    });
    expect(publisher).to.deep.include({ scope: "publish", projects: ["demo-pkg", "other-lib"] });
    const stored = await item(publisher.publicKey);
    expect(stored.scope).to.deep.equal({ S: "publish" });
    expect([...stored.projects.SS!].sort()).to.deep.equal(["demo-pkg", "other-lib"]);
    expect(credentialFromItem(stored as never)).to.deep.include({
      scope: "publish",
      projects: ["demo-pkg", "other-lib"],
    });
    const listed = (await listKeys(ctx, { tenant: "acme" })).find((k) => k.publicKey === publisher.publicKey);
    expect(listed).to.deep.include({ scope: "publish", projects: ["demo-pkg", "other-lib"] });

    const reader = await createKey(ctx, { tenant: "acme" });
    expect(reader.scope).to.equal("read");
    expect(reader).not.to.have.property("projects");
    expect((await item(reader.publicKey)).scope).to.deep.equal({ S: "read" });
  });

  it("lists a key written before scopes (no scope attribute) as a read key", async () => {
    const old = await createKey(ctx, { tenant: "legacy" });
    await fixture.dynamodb.send(
      new UpdateItemCommand({
        TableName: fixture.table,
        Key: { publicKey: { S: old.publicKey } },
        UpdateExpression: "REMOVE #scope",
        ExpressionAttributeNames: { "#scope": "scope" },
      }),
    );
    const [listed] = await listKeys(ctx, { tenant: "legacy" });
    expect(listed).to.deep.include({ publicKey: old.publicKey, scope: "read" });
    expect(listed).not.to.have.property("projects");
  });

  it("revokes a key once; again is a no-op; unknown and malformed keys are explained", async () => {
    const key = await createKey(ctx, { tenant: "acme" });
    const revoked = await revokeKey(ctx, key.publicKey);
    expect(revoked).to.include({
      publicKey: key.publicKey,
      status: "revoked",
      revokedAt: "2026-06-01T00:00:00.000Z",
    });
    expect(credentialFromItem((await item(key.publicKey)) as never)!.revokedAt).to.equal(nowSeconds);
    expect(await revokeKey(ctx, key.publicKey)).to.deep.equal(revoked);
    const unknown = "ppi_" + "a".repeat(26);
    expect(((await revokeKey(ctx, unknown).catch((e: Error) => e)) as Error).message).to.equal(
      `no key ${unknown} in table ${fixture.table}; see \`keys list\``,
    );
    expect(((await revokeKey(ctx, "nope").catch((e: Error) => e)) as Error).message).to.match(
      /"nope" is not a public key/,
    );
  });

  it("rotates a key: same tenant, channels, scope, projects, description and lifetime; the old key is revoked", async () => {
    const old = await createKey(ctx, {
      tenant: "acme",
      channels: ["main"],
      scope: "publish",
      projects: ["demo"],
      expiresIn: "12h",
      description: "deploy",
    });
    const rotated = await rotateKey(ctx, old.publicKey);
    expect(rotated.publicKey).to.not.equal(old.publicKey);
    expect(rotated).to.deep.include({
      tenant: "acme",
      channels: ["main"],
      scope: "publish",
      projects: ["demo"],
      description: "deploy",
      expiresAt: old.expiresAt,
      replaced: old.publicKey,
    });
    expect(
      secretMatches(rotated.secretKey, credentialFromItem((await item(rotated.publicKey)) as never)!),
    ).to.equal(true);
    expect(credentialFromItem((await item(old.publicKey)) as never)!.revokedAt).to.equal(nowSeconds);
    expect(((await rotateKey(ctx, old.publicKey).catch((e: Error) => e)) as Error).message).to.match(
      /already revoked/,
    );
  });

  it("rotates atomically: a revoke racing the rotation leaves no new key; a malformed record is refused", async () => {
    const old = await createKey(ctx, { tenant: "acme" });
    const before = await rowCount();
    // The old key is revoked between rotate's read and its transaction.
    const racing: KeysContext = {
      ...ctx,
      dynamodb: {
        send: async (command: Parameters<typeof fixture.dynamodb.send>[0]) => {
          if (command instanceof TransactWriteItemsCommand) await revokeKey(ctx, old.publicKey);
          return fixture.dynamodb.send(command);
        },
      } as unknown as KeysContext["dynamodb"],
    };
    expect(((await rotateKey(racing, old.publicKey).catch((e: Error) => e)) as Error).message).to.equal(
      `key ${old.publicKey} is already revoked; create a new one with \`keys create\``,
    );
    expect(await rowCount()).to.equal(before);

    const broken = await createKey(ctx, { tenant: "acme" });
    await fixture.dynamodb.send(
      new UpdateItemCommand({
        TableName: fixture.table,
        Key: { publicKey: { S: broken.publicKey } },
        UpdateExpression: "REMOVE salt",
      }),
    );
    expect(((await rotateKey(ctx, broken.publicKey).catch((e: Error) => e)) as Error).message).to.equal(
      `the stored record of key ${broken.publicKey} is malformed; revoke it with \`keys revoke\` and create a new one`,
    );
    expect(await rowCount()).to.equal(before! + 1);
  });

  it("refuses bad input and writes nothing", async () => {
    const before = await rowCount();
    for (const [request, message] of [
      [{ tenant: "Bad_Tenant" }, /invalid tenant "Bad_Tenant"/],
      [{ tenant: "acme", channels: ["simple"] }, /invalid channel "simple"/],
      [{ tenant: "acme", expiresIn: "soon" }, /invalid --expires-in "soon"/],
      [{ tenant: "acme", description: "x\ny" }, /--description must be/],
      [{ tenant: "acme", scope: "admin" }, /^invalid --scope "admin": use read or publish/],
      [{ tenant: "acme", projects: ["demo", "-bad-"] }, /^invalid project "-bad-" in --projects/],
    ] as const) {
      expect(((await createKey(ctx, request).catch((e: Error) => e)) as Error).message).to.match(message);
    }
    expect(await rowCount()).to.equal(before);
  });
});
