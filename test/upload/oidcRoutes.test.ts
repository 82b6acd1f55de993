/**
 * The upload handler's trusted-publishing routes against moto: publishers and minted keys in a
 * real credentials table, the minted key accepted as `__token__` on `/legacy/` by the handler's one
 * authentication path until it expires, and the routes' JSON refusals.
 */
import { expect } from "chai";
import { GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { createLocalJWKSet } from "jose";
import { credentialFromItem, credentialKey } from "../../domain/credentialRecords";
import {
  FORWARDED_AUTHORIZATION_HEADER,
  OIDC_AUDIENCE_PATH,
  OIDC_MINT_TOKEN_PATH,
} from "../../domain/upload";
import { CredentialStore, createCachedLookup } from "../../edge/credentialLookup";
import { IndexStore } from "../../publishing/indexStore";
import { addTrustedPublisher, trustedPublishingStore } from "../../publishing/trustedPublishers";
import { UploadHandlerConfig, createUploadHandler } from "../../upload/handler";
import { UploadRequest } from "../../upload/http";
import { SigningKey, githubJobClaims, newSigningKey, signGithubToken } from "../../fixtures/githubOidc";
import { MotoIndex, snapshot, startMotoIndex } from "../../fixtures/motoIndex";

const ISSUER = "https://token.actions.githubusercontent.com";
const AUDIENCE = "packages.example.com";
const CONFIG: UploadHandlerConfig = {
  realm: "python-package-index",
  bodyLimitBytes: 1_048_576,
  trustedPublishing: { issuer: ISSUER, audience: AUDIENCE },
};
const JOB = {
  repository: "acme/widgets",
  repositoryId: "1001",
  repositoryOwnerId: "77",
  workflow: "release.yml",
};

describe("upload: trusted publishing routes @integration", () => {
  let fixture: MotoIndex;
  let store: IndexStore;
  let key: SigningKey;
  let clockMs = Date.parse("2026-06-01T12:00:00Z");
  const logs: string[] = [];
  before(async () => {
    fixture = await startMotoIndex();
    store = await fixture.newStore();
    key = await newSigningKey("k1");
    await addTrustedPublisher(
      { dynamodb: fixture.dynamodb, table: fixture.table },
      {
        tenant: "acme",
        repository: JOB.repository,
        workflow: JOB.workflow,
        repositoryId: "1001",
        repositoryOwnerId: "77",
        projects: ["widgets"],
      },
    );
  });
  after(async () => fixture?.stop());

  function handler(config: UploadHandlerConfig = CONFIG) {
    const table: CredentialStore = {
      async get(publicKey) {
        const out = await fixture.dynamodb.send(
          new GetItemCommand({
            TableName: fixture.table,
            Key: credentialKey(publicKey) as never,
            ConsistentRead: true,
          }),
        );
        return out.Item ? (credentialFromItem(out.Item as never) ?? "corrupt") : null;
      },
    };
    const now = () => new Date(clockMs);
    return createUploadHandler(config, {
      store,
      lookup: createCachedLookup(table, { validTtlMs: 0, unknownTtlMs: 0 }),
      now: () => clockMs,
      log: (line) => logs.push(line),
      ...(config.trustedPublishing
        ? {
            trustedPublishing: {
              ...trustedPublishingStore({ dynamodb: fixture.dynamodb, table: fixture.table, now }),
              keys: createLocalJWKSet({ keys: [key.jwk] }),
            },
          }
        : {}),
    });
  }
  const request = (
    method: string,
    path: string,
    body = "",
    headers: Record<string, string> = {},
  ): UploadRequest => ({
    method,
    path,
    headers: { "content-length": String(Buffer.byteLength(body)), ...headers },
    body: Buffer.from(body),
  });
  const githubToken = (claims = githubJobClaims(JOB)) =>
    signGithubToken(key, claims, {
      issuer: ISSUER,
      audience: AUDIENCE,
      issuedAt: Math.floor(clockMs / 1000),
    });
  const keyRows = async () =>
    (await fixture.dynamodb.send(new ScanCommand({ TableName: fixture.table }))).Items!.filter((item) =>
      item.publicKey.S!.startsWith("ppi_"),
    ).length;

  it("announces the audience as JSON", async () => {
    const response = await handler()(request("GET", OIDC_AUDIENCE_PATH));
    expect(response).to.deep.equal({
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: JSON.stringify({ audience: AUDIENCE }),
    });
  });

  it("mints a publish key the handler accepts as __token__ on /legacy/ until it expires 15 minutes later", async () => {
    const upload = handler();
    const githubJwt = await githubToken();
    const minted = await upload(request("POST", OIDC_MINT_TOKEN_PATH, JSON.stringify({ token: githubJwt })));
    expect(minted.status).to.equal(200);
    expect(minted.headers["content-type"]).to.equal("application/json");
    const { token, expires } = JSON.parse(minted.body);
    expect(expires).to.equal(Math.floor(clockMs / 1000) + 900);
    const [publicKey, secretKey] = token.split(".");
    const stored = credentialFromItem(
      (
        await fixture.dynamodb.send(
          new GetItemCommand({ TableName: fixture.table, Key: credentialKey(publicKey) as never }),
        )
      ).Item as never,
    )!;
    expect(stored).to.deep.include({
      tenant: "acme",
      scope: "publish",
      projects: ["widgets"],
      expiresAt: expires,
    });
    expect(JSON.stringify(stored)).to.not.include(secretKey);
    expect(logs.at(-1)).to.equal(
      JSON.stringify({
        event: "token-minted",
        tenant: "acme",
        keyPrefix: publicKey.slice(0, 12),
        repository: "acme/widgets",
        jobWorkflowRef: "acme/widgets/.github/workflows/release.yml@refs/heads/main",
      }),
    );
    // The same GitHub token again mints nothing (recorded in the table until it expires).
    const again = await upload(request("POST", OIDC_MINT_TOKEN_PATH, JSON.stringify({ token: githubJwt })));
    expect(again.status).to.equal(422);
    expect(JSON.parse(again.body).errors[0].code).to.equal("invalid-reuse-token");
    const authorization = `Basic ${Buffer.from(`__token__:${token}`).toString("base64")}`;
    // Authenticated: the form is what is wrong (400), not the credentials (401).
    const accepted = await upload(
      request("POST", "/legacy/", "not a form", { [FORWARDED_AUTHORIZATION_HEADER]: authorization }),
    );
    expect(accepted.status).to.equal(400);
    clockMs += 900_000;
    const expired = await upload(
      request("POST", "/legacy/", "not a form", { [FORWARDED_AUTHORIZATION_HEADER]: authorization }),
    );
    expect(expired.status).to.equal(401);
    expect(JSON.parse(logs.at(-1)!)).to.include({ reason: "expired" });
  });

  it("refuses with JSON, writing no key and no object", async () => {
    const before = { keys: await keyRows(), objects: await snapshot(store) };
    const upload = handler();
    const cases: [UploadRequest, number, string, Record<string, string>?][] = [
      [request("POST", OIDC_AUDIENCE_PATH), 405, "invalid-payload", { allow: "GET" }],
      [request("GET", OIDC_MINT_TOKEN_PATH), 405, "invalid-payload", { allow: "POST" }],
      [request("POST", OIDC_MINT_TOKEN_PATH, "{}"), 422, "invalid-payload"],
      [
        request(
          "POST",
          OIDC_MINT_TOKEN_PATH,
          JSON.stringify({ token: await githubToken(githubJobClaims({ ...JOB, workflow: "ci.yml" })) }),
        ),
        422,
        "invalid-publisher",
      ],
    ];
    for (const [req, status, code, headers] of cases) {
      const response = await upload(req);
      expect(response.status, `${req.method} ${req.path}`).to.equal(status);
      expect(JSON.parse(response.body).errors[0].code).to.equal(code);
      if (headers) expect(response.headers).to.include(headers);
    }
    expect({ keys: await keyRows(), objects: await snapshot(store) }).to.deep.equal(before);
  });

  it("answers not-enabled (404) on both routes without a trusted-publishing config", async () => {
    const upload = handler({ realm: CONFIG.realm, bodyLimitBytes: CONFIG.bodyLimitBytes });
    for (const [method, path] of [
      ["GET", OIDC_AUDIENCE_PATH],
      ["POST", OIDC_MINT_TOKEN_PATH],
    ]) {
      const response = await upload(request(method, path));
      expect(response.status).to.equal(404);
      expect(JSON.parse(response.body)).to.deep.equal({
        message: "Token request failed",
        errors: [{ code: "not-enabled", description: "trusted publishing is not enabled on this index" }],
      });
    }
  });

  it("refuses a trusted-publishing config it cannot use, naming the field", () => {
    expect(() =>
      createUploadHandler(
        { ...CONFIG, trustedPublishing: { issuer: "http://token.example", audience: "has space" } },
        {
          store,
          lookup: async () => null,
          now: () => 0,
          log: () => undefined,
          trustedPublishing: {
            claimToken: async () => true,
            findPublishers: async () => [],
            mintKey: async () => ({ publicKey: "", secretKey: "" }),
          },
        },
      ),
    ).to.throw(
      'upload handler: invalid config:\n  - trustedPublishing.issuer "http://token.example" must be an https:// URL (http:// only on 127.0.0.1, for a local stand-in)\n  - trustedPublishing.audience "has space" must be 1-255 printable ASCII characters without spaces (e.g. the index host)',
    );
  });
});
