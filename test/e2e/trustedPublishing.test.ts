/**
 * Trusted publishing end to end: the sandbox over HTTPS (its own throwaway CA, given to the
 * clients as SSL_CERT_FILE (uv) and REQUESTS_CA_BUNDLE (twine), a stand-in for GitHub's token service and JWKS on loopback,
 * `uv publish --trusted-publishing always` and twine (with the exchange twine 7 leaves to the job
 * for an index other than PyPI: `python -m id`, then the mint endpoint), each followed by an
 * install; and every refusal of the mint endpoint with its status and code, nothing written.
 */
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { OIDC_AUDIENCE_PATH, OIDC_MINT_TOKEN_PATH } from "../../domain/upload";
import { IndexStore } from "../../publishing/indexStore";
import { addTrustedPublisher } from "../../publishing/trustedPublishers";
import { buildWheel } from "../../publishing/wheelBuilder";
import { Sandbox, startSandbox, urlWithKey } from "../../sandbox";
import { pythonTool } from "../../sandbox/pythonTools";
import {
  GithubTokenService,
  githubJobClaims,
  newSigningKey,
  signGithubToken,
  startGithubTokenService,
} from "../../fixtures/githubOidc";
import { snapshot } from "../../fixtures/motoIndex";
import { isolatedEnv, output, run, uv, uvEnv } from "../../fixtures/pythonClients";

const JOB = {
  repository: "acme/widgets",
  repositoryId: "1001",
  repositoryOwnerId: "77",
  workflow: "release.yml",
  environment: "release",
};

describe("trusted publishing through the sandbox over HTTPS @integration", function () {
  this.timeout(180_000);
  let service: GithubTokenService;
  let sandbox: Sandbox;
  let dynamodb: DynamoDBClient;
  let s3: S3Client;
  let store: IndexStore;
  let work: string;

  before(async () => {
    service = await startGithubTokenService();
    sandbox = await startSandbox({ port: 0, quiet: true, https: true, trustedIssuer: service.issuer });
    const clientConfig = {
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    dynamodb = new DynamoDBClient(clientConfig);
    s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    store = new IndexStore(s3, sandbox.bucket);
    await addTrustedPublisher(
      { dynamodb, table: sandbox.table },
      {
        tenant: sandbox.demo.tenant,
        repository: JOB.repository,
        workflow: JOB.workflow,
        environment: JOB.environment,
        repositoryId: JOB.repositoryId,
        repositoryOwnerId: JOB.repositoryOwnerId,
        projects: ["ppi-widgets"],
      },
    );
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-trusted-publishing-"));
  });
  after(async () => {
    dynamodb?.destroy();
    s3?.destroy();
    await sandbox?.stop();
    await service?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A wheel of ppi-widgets in a fresh dist directory. */
  function dist(version: string): { dir: string; filename: string } {
    const dir = fs.mkdtempSync(path.join(work, "dist-"));
    const wheel = buildWheel({ name: "ppi-widgets", version });
    fs.writeFileSync(path.join(dir, wheel.filename), wheel.bytes);
    return { dir, filename: wheel.filename };
  }
  const tls = () => ({ SSL_CERT_FILE: sandbox.caFile!, REQUESTS_CA_BUNDLE: sandbox.caFile! });
  const readUrl = () => urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);
  const keyCount = async () =>
    (await dynamodb.send(new ScanCommand({ TableName: sandbox.table, ConsistentRead: true }))).Items!.filter(
      (item) => item.publicKey.S!.startsWith("ppi_"),
    ).length;

  /** One HTTPS request to the sandbox, trusting its CA. */
  function request(
    method: string,
    urlPath: string,
    body?: string,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${sandbox.origin}${urlPath}`,
        {
          method,
          ca: fs.readFileSync(sandbox.caFile!),
          headers: body ? { "content-type": "application/json" } : {},
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /** `uv publish --trusted-publishing always` of one file, in a job of the stand-in service. */
  function uvTrustedPublish(dir: string, filename: string) {
    const args = ["publish", "--trusted-publishing", "always", "--publish-url", sandbox.uploadUrl];
    return uv([...args, path.join(dir, filename)], { env: uvEnv(dir, { ...service.jobEnv, ...tls() }) });
  }

  async function installs(version: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(work, "install-"));
    const env = uvEnv(dir, tls());
    const venv = path.join(dir, "venv");
    expect((await uv(["venv", venv], { env })).code).to.equal(0);
    const install = await uv(
      [
        "pip",
        "install",
        "--python",
        path.join(venv, "bin", "python"),
        "--index-url",
        readUrl(),
        `ppi-widgets==${version}`,
      ],
      { env },
    );
    expect(install.code, output(install)).to.equal(0);
    const imported = await run(path.join(venv, "bin", "python"), [
      "-c",
      "import ppi_widgets; print(ppi_widgets.__version__)",
    ]);
    expect(imported.stdout.trim()).to.equal(version);
  }

  it("uv publish --trusted-publishing always mints a key for the job's audience and publishes; uv installs it", async () => {
    service.issue(githubJobClaims(JOB));
    const { dir, filename } = dist("1.0.0");
    const published = await uvTrustedPublish(dir, filename);
    expect(published.code, output(published)).to.equal(0);
    expect(service.requestedAudiences.at(-1)).to.equal(sandbox.trustedPublishing.audience);
    expect(sandbox.trustedPublishing.audience).to.equal(`127.0.0.1:${sandbox.port}`);
    await installs("1.0.0");
  });

  it("twine uploads with a key minted through python -m id and the mint endpoint; uv installs it", async () => {
    service.issue(githubJobClaims(JOB));
    const audience = JSON.parse((await request("GET", OIDC_AUDIENCE_PATH)).body).audience;
    const python = pythonTool("python");
    const id = await run(python, ["-m", "id", audience], { env: isolatedEnv(service.jobEnv) });
    expect(id.code, output(id)).to.equal(0);
    const minted = await request("POST", OIDC_MINT_TOKEN_PATH, JSON.stringify({ token: id.stdout.trim() }));
    expect(minted.status, minted.body).to.equal(200);
    const { token } = JSON.parse(minted.body);
    const { dir, filename } = dist("1.1.0");
    const upload = await run(
      pythonTool("twine"),
      [
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        sandbox.uploadUrl,
        "-u",
        "__token__",
        "-p",
        token,
        path.join(dir, filename),
      ],
      { env: isolatedEnv(tls()) },
    );
    expect(upload.code, output(upload)).to.equal(0);
    await installs("1.1.0");
  });

  it("uv shows the refusal and uploads nothing when the workflow is not trusted", async () => {
    service.issue(githubJobClaims({ ...JOB, workflow: "ci.yml" }));
    const before = { keys: await keyCount(), objects: await snapshot(store) };
    const { dir, filename } = dist("2.0.0");
    const published = await uvTrustedPublish(dir, filename);
    expect(published.code).to.not.equal(0);
    expect(published.stderr).to.include("Server returned error code 422");
    expect(published.stderr).to.include('"code":"invalid-publisher"');
    expect({ keys: await keyCount(), objects: await snapshot(store) }).to.deep.equal(before);
  });

  it("refuses every token it must not trust, with its status and code, writing nothing", async () => {
    const stranger = await newSigningKey(service.key.kid); // same key id, another key
    const audience = sandbox.trustedPublishing.audience;
    const sign = (
      claims: Record<string, unknown>,
      options: { issuer?: string; audience?: string; issuedAt?: number } = {},
      key = service.key,
    ) => signGithubToken(key, claims, { issuer: service.issuer, audience, ...options });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string>, number, string][] = [
      [
        "another repository",
        sign(
          githubJobClaims({
            ...JOB,
            repository: "other/widgets",
            repositoryId: "2002",
            repositoryOwnerId: "88",
          }),
        ),
        422,
        "invalid-publisher",
      ],
      [
        "a fork (its own ids)",
        sign(
          githubJobClaims({
            ...JOB,
            repository: "mallory/widgets",
            repositoryId: "3003",
            repositoryOwnerId: "99",
          }),
        ),
        422,
        "invalid-publisher",
      ],
      [
        "the name under another owner id",
        sign(githubJobClaims({ ...JOB, repositoryOwnerId: "99" })),
        422,
        "invalid-publisher",
      ],
      ["another workflow", sign(githubJobClaims({ ...JOB, workflow: "ci.yml" })), 422, "invalid-publisher"],
      [
        "another environment",
        sign(githubJobClaims({ ...JOB, environment: "staging" })),
        422,
        "invalid-publisher",
      ],
      ["an expired token", sign(githubJobClaims(JOB), { issuedAt: now - 400 }), 422, "expired-token"],
      [
        "the wrong audience",
        sign(githubJobClaims(JOB), { audience: "sts.amazonaws.com" }),
        422,
        "wrong-audience",
      ],
      ["a bad signature", sign(githubJobClaims(JOB), {}, stranger), 422, "invalid-token"],
      [
        "an unknown issuer",
        sign(githubJobClaims(JOB), { issuer: "https://token.actions.githubusercontent.com" }),
        422,
        "unknown-issuer",
      ],
      ["no token", Promise.resolve(""), 422, "invalid-payload"],
    ];
    const before = { keys: await keyCount(), objects: await snapshot(store) };
    for (const [name, token, status, code] of cases) {
      const answer = await request("POST", OIDC_MINT_TOKEN_PATH, JSON.stringify({ token: await token }));
      expect(answer.status, name).to.equal(status);
      const body = JSON.parse(answer.body);
      expect(body.message, name).to.equal("Token request failed");
      expect(
        body.errors.map((e: { code: string }) => e.code),
        name,
      ).to.deep.equal([code]);
      expect(body).to.not.have.property("token");
    }
    expect({ keys: await keyCount(), objects: await snapshot(store) }).to.deep.equal(before);
  });
});
