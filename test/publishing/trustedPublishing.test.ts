import { expect } from "chai";
import { SignJWT, createLocalJWKSet } from "jose";
import { TrustedPublisher } from "../../domain/trustedPublishers";
import { keyPairOf } from "../../domain/keyScheme";
import { MintKeyRequest, createTrustedPublishing } from "../../publishing/trustedPublishing";
import { SigningKey, githubJobClaims, newSigningKey, signGithubToken } from "../../fixtures/githubOidc";

const ISSUER = "https://token.actions.githubusercontent.com";
const AUDIENCE = "packages.example.com";
const NOW = Date.parse("2026-06-01T12:00:00Z");
const NOW_S = NOW / 1000;

const PUBLISHER: TrustedPublisher = {
  tenant: "acme",
  repository: "Acme/Widgets",
  repositoryId: "1001",
  repositoryOwnerId: "77",
  workflow: "release.yml",
  environment: "pypi",
  projects: ["widgets"],
};
const JOB = {
  repository: "acme/widgets",
  repositoryId: "1001",
  repositoryOwnerId: "77",
  workflow: "release.yml",
  environment: "PyPI",
};

describe("publishing: trusted publishing (verify and mint)", () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  before(async () => {
    key = await newSigningKey("k1");
    otherKey = await newSigningKey("k1"); // same key id, other key: a forged signature
  });

  function setUp(publishers: readonly TrustedPublisher[] = [PUBLISHER], keys?: () => never) {
    const minted: MintKeyRequest[] = [];
    const lookedUp: string[] = [];
    const claimed = new Set<string>();
    const tp = createTrustedPublishing(
      { issuer: ISSUER, audience: AUDIENCE },
      {
        keys: keys ?? createLocalJWKSet({ keys: [key.jwk] }),
        claimToken: async (issuer, tokenId) => {
          const seen = claimed.has(`${issuer} ${tokenId}`);
          claimed.add(`${issuer} ${tokenId}`);
          return !seen;
        },
        findPublishers: async (id) => {
          lookedUp.push(id);
          return publishers.filter((p) => p.repositoryId === id);
        },
        mintKey: async (request) => {
          minted.push(request);
          return {
            publicKey: "ppi_" + "a".repeat(26),
            secretKey: "ppisk_" + "b".repeat(43),
            expiresAt: new Date((NOW_S + 900) * 1000).toISOString(),
          };
        },
        now: () => NOW,
      },
    );
    const mint = (body: unknown) =>
      tp.mintToken(typeof body === "string" ? Buffer.from(body) : Buffer.from(JSON.stringify(body)));
    return { tp, mint, minted, lookedUp };
  }
  const token = (
    claims: Record<string, unknown> = githubJobClaims(JOB),
    options: Partial<Parameters<typeof signGithubToken>[2]> & { signWith?: SigningKey } = {},
  ) =>
    signGithubToken(options.signWith ?? key, claims, {
      issuer: ISSUER,
      audience: AUDIENCE,
      issuedAt: NOW_S - 10,
      ...options,
    });

  it("announces its audience", () => {
    expect(setUp().tp.audience()).to.deep.equal({ status: 200, body: { audience: AUDIENCE } });
  });

  it("mints a 15-minute publish key for the publisher's tenant and projects, as a __token__ password", async () => {
    const { mint, minted, lookedUp } = setUp();
    const answer = await mint({ token: await token() });
    expect(answer).to.deep.equal({
      status: 200,
      body: { success: true, token: `ppi_${"a".repeat(26)}.ppisk_${"b".repeat(43)}`, expires: NOW_S + 900 },
      minted: {
        tenant: "acme",
        publicKey: `ppi_${"a".repeat(26)}`,
        repository: "acme/widgets",
        jobWorkflowRef: "acme/widgets/.github/workflows/release.yml@refs/heads/main",
      },
    });
    expect(keyPairOf("__token__", answer.body.token as string)).to.deep.equal({
      publicKey: `ppi_${"a".repeat(26)}`,
      secretKey: `ppisk_${"b".repeat(43)}`,
    });
    expect(lookedUp).to.deep.equal(["1001"]);
    expect(minted).to.deep.equal([
      {
        tenant: "acme",
        scope: "publish",
        projects: ["widgets"],
        expiresIn: "15m",
        description: "trusted publishing: acme/widgets release.yml@refs/heads/main",
      },
    ]);
  });

  it("mints for every project when one matching publisher allows all, and for any environment when none is configured", async () => {
    const { mint, minted } = setUp([
      PUBLISHER,
      { ...PUBLISHER, environment: undefined, projects: undefined },
    ]);
    const withoutEnvironment = { ...JOB, environment: undefined };
    expect((await mint({ token: await token(githubJobClaims(withoutEnvironment)) })).status).to.equal(200);
    expect((await mint({ token: await token() })).status).to.equal(200);
    expect(minted.map((m) => m.projects)).to.deep.equal([undefined, undefined]);
  });

  it("tolerates 30 s of clock skew (the refusals below: 35 s past exp, 35 s before nbf or iat, 35 s past the maximum age)", async () => {
    const { mint } = setUp();
    expect((await mint({ token: await token(undefined, { issuedAt: NOW_S - 320 }) })).status).to.equal(200);
    expect(
      (await mint({ token: await token(undefined, { issuedAt: NOW_S - 15 * 60 - 25, lifetime: 3600 }) }))
        .status,
    ).to.equal(200);
    expect(
      (await mint({ token: await token(undefined, { issuedAt: NOW_S + 25, notBefore: NOW_S - 10 }) })).status,
    ).to.equal(200);
    expect(
      (await mint({ token: await token(undefined, { issuedAt: NOW_S + 25, notBefore: NOW_S + 25 }) })).status,
    ).to.equal(200);
  });

  describe("refuses, with PyPI's error shape, and mints nothing", () => {
    const cases: {
      name: string;
      body: () => Promise<unknown>;
      status?: number;
      code: string;
      description: string;
    }[] = [
      {
        name: "a body that is not JSON",
        body: async () => "token=x",
        code: "invalid-payload",
        description: 'the body must be the JSON object {"token": "<OIDC token>"}',
      },
      {
        name: "no token",
        body: async () => ({ jwt: "x" }),
        code: "invalid-payload",
        description: 'the body must be the JSON object {"token": "<OIDC token>"}',
      },
      {
        name: "a body over the limit",
        body: async () => ({ token: "x".repeat(17000) }),
        status: 413,
        code: "invalid-payload",
        description: "the request body is larger than 16384 bytes",
      },
      {
        name: "a token that is not a JWT",
        body: async () => ({ token: "not.a.jwt" }),
        code: "invalid-token",
        description: "the token is not a well-formed signed JWT",
      },
      {
        name: "an unknown issuer",
        body: async () => ({
          token: await signGithubToken(key, githubJobClaims(JOB), {
            issuer: "https://evil.example",
            audience: AUDIENCE,
            issuedAt: NOW_S,
          }),
        }),
        code: "unknown-issuer",
        description: 'the token\'s issuer (iss) "https://evil.example" is not trusted',
      },
      {
        name: "the wrong audience (a token meant for AWS)",
        body: async () => ({ token: await token(undefined, { audience: "sts.amazonaws.com" }) }),
        code: "wrong-audience",
        description:
          "the token's audience (aud) is not this index's: request it for the audience GET /_/oidc/audience announces",
      },
      {
        name: "an expired token",
        body: async () => ({ token: await token(undefined, { issuedAt: NOW_S - 335 }) }),
        code: "expired-token",
        description: "the token has expired (exp)",
      },
      {
        name: "a token not valid yet",
        body: async () => ({
          token: await token(undefined, { issuedAt: NOW_S + 35, notBefore: NOW_S + 35 }),
        }),
        code: "expired-token",
        description: "the token is not valid yet (nbf)",
      },
      {
        name: "a token issued more than 15 minutes ago (beyond the leeway) that has not expired",
        body: async () => ({
          token: await token(undefined, { issuedAt: NOW_S - 15 * 60 - 35, lifetime: 3600 }),
        }),
        code: "expired-token",
        description: "the token was issued more than 15 minutes ago (iat)",
      },
      {
        name: "a token issued in the future (iat beyond the leeway) that is already valid (nbf)",
        body: async () => ({
          token: await token(undefined, { issuedAt: NOW_S + 35, notBefore: NOW_S - 10 }),
        }),
        code: "expired-token",
        description: "the token is not valid yet (iat)",
      },
      {
        name: "a bad signature",
        body: async () => ({ token: await token(undefined, { signWith: otherKey }) }),
        code: "invalid-token",
        description: "the token's signature does not verify against the issuer's keys",
      },
      {
        name: "a tampered payload",
        body: async () => {
          const [header, , signature] = (await token()).split(".");
          const forged = Buffer.from(
            JSON.stringify({
              ...githubJobClaims(JOB),
              iss: ISSUER,
              aud: AUDIENCE,
              iat: NOW_S,
              exp: NOW_S + 300,
            }),
          ).toString("base64url");
          return { token: `${header}.${forged}.${signature}` };
        },
        code: "invalid-token",
        description: "the token's signature does not verify against the issuer's keys",
      },
      {
        name: "an HMAC token",
        body: async () => ({
          token: await new SignJWT(githubJobClaims(JOB))
            .setProtectedHeader({ alg: "HS256", kid: "k1" })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setIssuedAt(NOW_S)
            .setExpirationTime(NOW_S + 300)
            .sign(new Uint8Array(32)),
        }),
        code: "invalid-token",
        description: "the token is not signed with RS256",
      },
      {
        name: "a token without GitHub's claims",
        body: async () => ({ token: await token({ sub: "x", repository: "acme/widgets" }) }),
        code: "invalid-token",
        description:
          "the token has no repository_id, repository_owner_id, job_workflow_ref claim: it is not a GitHub Actions token",
      },
      {
        name: "another repository",
        body: async () => ({
          token: await token(
            githubJobClaims({
              ...JOB,
              repository: "other/widgets",
              repositoryId: "2002",
              repositoryOwnerId: "88",
            }),
          ),
        }),
        code: "invalid-publisher",
        description: "no trusted publisher is configured for repository other/widgets (repository_id 2002)",
      },
      {
        name: "a fork (its own ids)",
        body: async () => ({
          token: await token(
            githubJobClaims({
              ...JOB,
              repository: "mallory/widgets",
              repositoryId: "3003",
              repositoryOwnerId: "99",
            }),
          ),
        }),
        code: "invalid-publisher",
        description: "no trusted publisher is configured for repository mallory/widgets (repository_id 3003)",
      },
      {
        name: "the repository's name under other ids (recreated by someone else)",
        body: async () => ({
          token: await token(githubJobClaims({ ...JOB, repositoryId: "4004", repositoryOwnerId: "99" })),
        }),
        code: "invalid-publisher",
        description: "no trusted publisher is configured for repository acme/widgets (repository_id 4004)",
      },
      {
        name: "another owner id",
        body: async () => ({ token: await token(githubJobClaims({ ...JOB, repositoryOwnerId: "99" })) }),
        code: "invalid-publisher",
        description:
          "the repository_owner_id 99 does not match the trusted publisher of repository acme/widgets (repository_id 1001)",
      },
      {
        name: "another name for the repository id",
        body: async () => ({ token: await token(githubJobClaims({ ...JOB, repository: "acme/renamed" })) }),
        code: "invalid-publisher",
        description:
          "the repository claim acme/renamed does not match the trusted publisher of repository_id 1001",
      },
      {
        name: "another workflow",
        body: async () => ({ token: await token(githubJobClaims({ ...JOB, workflow: "ci.yml" })) }),
        code: "invalid-publisher",
        description:
          "the workflow ci.yml (job_workflow_ref) is not a trusted publisher of repository acme/widgets (repository_id 1001)",
      },
      {
        name: "a reusable workflow of another repository",
        body: async () => ({
          token: await token({
            ...githubJobClaims(JOB),
            job_workflow_ref: "mallory/tools/.github/workflows/release.yml@refs/heads/main",
          }),
        }),
        code: "invalid-publisher",
        description:
          "the job_workflow_ref mallory/tools/.github/workflows/release.yml@refs/heads/main is not a workflow in .github/workflows/ of acme/widgets (reusable workflows of other repositories are not trusted)",
      },
      {
        name: "another environment",
        body: async () => ({ token: await token(githubJobClaims({ ...JOB, environment: "staging" })) }),
        code: "invalid-publisher",
        description: "the environment staging is not trusted for the workflow release.yml of acme/widgets",
      },
      {
        name: "no environment where one is required",
        body: async () => {
          const job = { ...JOB, environment: undefined };
          return { token: await token(githubJobClaims(job)) };
        },
        code: "invalid-publisher",
        description:
          "the workflow release.yml of acme/widgets may publish only from a GitHub environment: the job names none (environment claim)",
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { mint, minted } = setUp();
        const answer = await mint(await c.body());
        expect(answer).to.deep.equal({
          status: c.status ?? 422,
          body: { message: "Token request failed", errors: [{ code: c.code, description: c.description }] },
        });
        expect(minted).to.deep.equal([]);
      });
    }

    it("the issuer's keys unreachable: 503, retry", async () => {
      const { mint, minted } = setUp([PUBLISHER], () => {
        throw Object.assign(new Error("timeout"), { code: "ERR_JWKS_TIMEOUT" });
      });
      expect(await mint({ token: await token() })).to.deep.equal({
        status: 503,
        body: {
          message: "Token request failed",
          errors: [
            {
              code: "jwks-unavailable",
              description: "the issuer's keys could not be fetched; retry (ERR_JWKS_TIMEOUT)",
            },
          ],
        },
      });
      expect(minted).to.deep.equal([]);
    });

    it("a token already exchanged (one token, one key)", async () => {
      const { mint, minted } = setUp();
      const jwt = await token();
      expect((await mint({ token: jwt })).status).to.equal(200);
      expect(await mint({ token: jwt })).to.deep.equal({
        status: 422,
        body: {
          message: "Token request failed",
          errors: [
            {
              code: "invalid-reuse-token",
              description: "this token was already exchanged for a key: request a new one",
            },
          ],
        },
      });
      expect(minted).to.have.length(1);
    });

    it("a token without a jti", async () => {
      const { mint, minted } = setUp();
      const jwt = await new SignJWT(githubJobClaims(JOB))
        .setProtectedHeader({ alg: "RS256", kid: key.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + 300)
        .sign(key.privateKey);
      expect((await mint({ token: jwt })).body.errors).to.deep.equal([
        {
          code: "invalid-token",
          description: "the token has no jti claim: it is not a GitHub Actions token",
        },
      ]);
      expect(minted).to.deep.equal([]);
    });

    it("a token matching publishers of two tenants", async () => {
      const { mint, minted } = setUp([PUBLISHER, { ...PUBLISHER, tenant: "globex" }]);
      const answer = await mint({ token: await token() });
      expect(answer.status).to.equal(422);
      expect(answer.body.errors).to.deep.equal([
        { code: "invalid-publisher", description: "the token matches trusted publishers of 2 tenants" },
      ]);
      expect(minted).to.deep.equal([]);
    });
  });
});
