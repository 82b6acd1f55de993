/**
 * The upload function as it would ship: the archive of the mocked CallbackFunction (what it zips,
 * how large), and its serialized `__index.js` loaded as the Lambda runtime would (Node builtins,
 * the archive's packages, the runtime's AWS SDK v3) and driven with function URL events against
 * moto_server — a real upload lands in the bucket, and trusted publishing mints a key (a stand-in
 * for GitHub's token issuer on loopback, given through the factory's test-only issuer) that uploads.
 * @integration (moto_server)
 */
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { zipSync } from "fflate";
import * as fs from "fs";
import { UploadFunction } from "../../components/uploadFunction";
import { PUBLIC_KEY_ATTRIBUTE } from "../../domain/credentialRecords";
import { fileKey, projectPageKey } from "../../domain/storageLayout";
import { OIDC_AUDIENCE_PATH, OIDC_MINT_TOKEN_PATH, UPLOAD_BODY_LIMIT_BYTES } from "../../domain/upload";
import { addTrustedPublisher } from "../../publishing/trustedPublishers";
import { buildWheel } from "../../publishing/wheelBuilder";
import { createIndexBucket } from "../../sandbox/resources";
import {
  GithubTokenService,
  githubJobClaims,
  signGithubToken,
  startGithubTokenService,
} from "../../fixtures/githubOidc";
import { CredentialsOnMoto, startCredentialsOnMoto } from "../../fixtures/credentialsOnMoto";
import { makeKey } from "../../fixtures/edgeKeys";
import { functionUrlEvent } from "../../fixtures/uploadEvents";
import { TEST_BOUNDARY, multipartBody, twineParts } from "../../fixtures/uploadForms";
import {
  FunctionUrlHandler,
  TrustedIssuer,
  UPLOAD_FUNCTION_PACKAGES,
  UploadFunctionConfig,
  uploadFunctionHandlerFactory,
} from "../../upload/lambda";
import { ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";
import { archiveFiles, loadArchive } from "../support/bundle";

const TABLE = "ppi-test-credentials";
const BUCKET = "ppi-test-index-upload";
/** A bound on the zipped archive: Lambda takes 50 MB zipped; this one should stay far below. */
const MAX_ZIP_BYTES = 2 * 1024 * 1024;
const AUDIENCE = "ppi-test";
const REPOSITORY = {
  repository: "acme/utils",
  repositoryId: "4242",
  repositoryOwnerId: "77",
  workflow: "release.yml",
};

describe("upload function bundle: the serialized CallbackFunction against moto_server", function () {
  this.timeout(120_000);
  const publisher = makeKey({ scope: "publish", createdAt: Math.floor(Date.now() / 1000) - 60 });
  const reader = makeKey({ createdAt: Math.floor(Date.now() / 1000) - 60 });
  let credentials: CredentialsOnMoto;
  let s3: S3Client;
  let recorder: ResourceRecorder;
  let handler: FunctionUrlHandler;
  let archiveDir: string | undefined;
  let tokens: GithubTokenService;

  before(async () => {
    credentials = await startCredentialsOnMoto(TABLE, [publisher.record, reader.record]);
    s3 = new S3Client(credentials.moto.clientConfig);
    await createIndexBucket(s3, BUCKET);
    tokens = await startGithubTokenService();
    await addTrustedPublisher(
      { dynamodb: credentials.client, table: TABLE },
      { tenant: "acme", ...REPOSITORY },
    );
    // Plain data: the serialized factory captures it (the stand-in's keys are at <issuer>/.well-known/jwks).
    const standIn: TrustedIssuer = { issuer: tokens.issuer };
    recorder = await setupMocks({ stack: "dev" });
    const plain: Omit<UploadFunctionConfig, "bucketName"> = {
      realm: "python-package-index",
      bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES,
      bucketRegion: "us-east-1",
      tableName: TABLE,
      tableRegion: "us-east-1",
      replicaRegions: [],
      keyCacheSeconds: 0,
      unknownKeyCacheSeconds: 0,
      trustedPublishingAudience: AUDIENCE,
    };
    const upload = new UploadFunction<UploadFunctionConfig, "bucketName">("upload", {
      functionName: "ppi-dev-upload",
      handlerFactory: (config) => uploadFunctionHandlerFactory(config, standIn),
      handlerConfig: plain,
      // An Output, as the bucket's generated name is when the program runs.
      deployTimeConfig: { bucketName: pulumi.output(BUCKET) },
      bundledPackages: [...UPLOAD_FUNCTION_PACKAGES],
    });
    // Serializing the closure and walking its packages takes seconds on a busy machine.
    await valueOf(upload.url, "the function URL", 90_000);
    await settle();
    // From a copy of the archive: its packages (jose too) must load from it, the SDK from the runtime.
    ({ handler, dir: archiveDir } = loadArchive<FunctionUrlHandler>(
      await archiveFiles(recorder.one("aws:lambda/function:Function")),
      ["@aws-sdk"],
    ));
  });
  after(async () => {
    s3?.destroy();
    await tokens?.stop();
    await credentials?.stop();
    if (archiveDir) fs.rmSync(archiveDir, { recursive: true, force: true });
  });

  it(`zips __index.js and the core's packages alone (never the AWS SDK or Pulumi), under ${MAX_ZIP_BYTES} bytes`, async () => {
    const files = await archiveFiles(recorder.one("aws:lambda/function:Function"));
    const packages = new Set(
      Object.keys(files)
        .filter((entry) => entry.startsWith("node_modules/"))
        .map((entry) => {
          const parts = entry.split("/");
          return parts[1].startsWith("@") ? `${parts[1]}/${parts[2]}` : parts[1];
        }),
    );
    for (const name of UPLOAD_FUNCTION_PACKAGES) expect([...packages]).to.include(name);
    expect([...packages].filter((name) => /^@(aws-sdk|smithy|pulumi)\//.test(name))).to.deep.equal([]);
    const unzipped = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
    const zipped = zipSync(files, { level: 9 }).length;
    console.log(
      `      archive: ${Object.keys(files).length} files, ${unzipped} bytes, ${zipped} bytes zipped (level 9); ` +
        `__index.js ${files["__index.js"].length} bytes; packages: ${[...packages].sort().join(", ")}`,
    );
    expect(zipped).to.be.lessThan(MAX_ZIP_BYTES);
  });

  /** Every item's partition key, sorted. */
  async function tableItems(): Promise<string[]> {
    const { Items = [] } = await credentials.client.send(new ScanCommand({ TableName: TABLE }));
    return Items.map((item) => item[PUBLIC_KEY_ATTRIBUTE].S!).sort();
  }

  function uploadEvent(
    authorization: string | undefined,
    wheel = buildWheel({ name: "acme-utils", version: "1.0" }),
  ) {
    const body = multipartBody(twineParts(wheel));
    return {
      wheel,
      event: functionUrlEvent({
        url: "/legacy/?ignored=1",
        headers: {
          "content-type": `multipart/form-data; boundary=${TEST_BOUNDARY}`,
          "content-length": String(body.length),
          ...(authorization ? { "x-ppi-authorization": authorization } : {}),
        },
        body,
      }),
    };
  }

  it("publishes a wheel: 200, the file and its JSON page in the tenant's part of the bucket", async () => {
    const { wheel, event } = uploadEvent(publisher.authorization);
    const result = await handler(event);
    expect(result).to.deep.include({
      statusCode: 200,
      body: `published ${wheel.filename}\n`,
      isBase64Encoded: false,
    });
    const stored = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: fileKey("acme", "main", "acme-utils", wheel.filename) }),
    );
    expect(stored.ContentLength).to.equal(wheel.bytes.length);
    const page = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: projectPageKey("acme", "main", "acme-utils", "json") }),
    );
    const json = JSON.parse(await page.Body!.transformToString());
    expect(json.files.map((f: { filename: string }) => f.filename)).to.deep.equal([wheel.filename]);
  });

  it("answers the same bytes again with 200 and changes nothing", async () => {
    const { wheel, event } = uploadEvent(publisher.authorization);
    const result = await handler(event);
    expect(result).to.deep.include({
      statusCode: 200,
      body: `${wheel.filename} was already published with these contents; nothing changed\n`,
    });
  });

  it("refuses a read key with 403 and no credentials with 401 and the Basic challenge", async () => {
    const refused = await handler(uploadEvent(reader.authorization).event);
    expect(refused).to.deep.include({ statusCode: 403 });
    const anonymous = await handler(uploadEvent(undefined).event);
    expect(anonymous).to.deep.include({ statusCode: 401 });
    expect((anonymous as { headers: Record<string, string> }).headers["www-authenticate"]).to.equal(
      'Basic realm="python-package-index", charset="UTF-8"',
    );
  });

  it(`answers GET ${OIDC_AUDIENCE_PATH} with the configured audience`, async () => {
    const result = await handler(functionUrlEvent({ method: "GET", url: OIDC_AUDIENCE_PATH }));
    expect(result).to.deep.include({ statusCode: 200, body: JSON.stringify({ audience: AUDIENCE }) });
  });

  it("mints a __token__ for a trusted publisher's GitHub token, once, and the token uploads", async () => {
    const oidcToken = await signGithubToken(tokens.key, githubJobClaims(REPOSITORY), {
      issuer: tokens.issuer,
      audience: AUDIENCE,
    });
    const mint = () =>
      handler(
        functionUrlEvent({
          url: OIDC_MINT_TOKEN_PATH,
          headers: { "content-type": "application/json" },
          body: Buffer.from(JSON.stringify({ token: oidcToken })),
        }),
      ) as Promise<{ statusCode: number; body: string }>;
    const minted = await mint();
    expect(minted.statusCode, minted.body).to.equal(200);
    const answer = JSON.parse(minted.body) as { success: boolean; token: string; expires: number };
    expect(answer.success).to.equal(true);
    expect(answer.token).to.match(/^ppi_/);
    const again = await mint();
    expect(again.statusCode).to.equal(422);
    expect(JSON.parse(again.body).errors[0].code).to.equal("invalid-reuse-token");

    const wheel = buildWheel({ name: "acme-utils", version: "2.0" });
    const basic = `Basic ${Buffer.from(`__token__:${answer.token}`).toString("base64")}`;
    const result = await handler(uploadEvent(basic, wheel).event);
    expect(result).to.deep.include({ statusCode: 200, body: `published ${wheel.filename}\n` });
    const stored = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: fileKey("acme", "main", "acme-utils", wheel.filename) }),
    );
    expect(stored.ContentLength).to.equal(wheel.bytes.length);
  });

  it("refuses a token for another audience (wrong-audience) and writes nothing to the table", async () => {
    const before = await tableItems();
    const oidcToken = await signGithubToken(tokens.key, githubJobClaims(REPOSITORY), {
      issuer: tokens.issuer,
      audience: "another-index",
    });
    const result = (await handler(
      functionUrlEvent({
        url: OIDC_MINT_TOKEN_PATH,
        body: Buffer.from(JSON.stringify({ token: oidcToken })),
      }),
    )) as { statusCode: number; body: string };
    expect(result.statusCode).to.equal(422);
    expect(JSON.parse(result.body).errors[0].code).to.equal("wrong-audience");
    expect(await tableItems()).to.deep.equal(before);
  });
});
