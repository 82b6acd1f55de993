/**
 * The upload function as it would ship: the archive of the mocked CallbackFunction (what it zips,
 * how large), and its serialized `__index.js` loaded as the Lambda runtime would (Node builtins,
 * the archive's packages, the runtime's AWS SDK v3) and driven with function URL events against
 * moto_server — a real upload lands in the bucket.
 * @integration (moto_server)
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { zipSync } from "fflate";
import { UploadFunction } from "../../components/uploadFunction";
import { fileKey, projectPageKey } from "../../domain/storageLayout";
import { UPLOAD_BODY_LIMIT_BYTES } from "../../domain/upload";
import { buildWheel } from "../../publishing/wheelBuilder";
import { loadEdgeBundle } from "../../sandbox/edgeBundle";
import { createIndexBucket } from "../../sandbox/resources";
import { CredentialsOnMoto, startCredentialsOnMoto } from "../../fixtures/credentialsOnMoto";
import { makeKey } from "../../fixtures/edgeKeys";
import { functionUrlEvent } from "../../fixtures/uploadEvents";
import { TEST_BOUNDARY, multipartBody, twineParts } from "../../fixtures/uploadForms";
import {
  FunctionUrlHandler,
  UPLOAD_FUNCTION_PACKAGES,
  UploadFunctionConfig,
  uploadFunctionHandlerFactory,
} from "../../upload/lambda";
import { ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";
import { archiveFiles, archiveOf } from "../support/bundle";

const TABLE = "ppi-test-credentials";
const BUCKET = "ppi-test-index-upload";
/** A bound on the zipped archive: Lambda takes 50 MB zipped; this one should stay far below. */
const MAX_ZIP_BYTES = 2 * 1024 * 1024;

describe("upload function bundle: the serialized CallbackFunction against moto_server", function () {
  this.timeout(120_000);
  const publisher = makeKey({ scope: "publish", createdAt: Math.floor(Date.now() / 1000) - 60 });
  const reader = makeKey({ createdAt: Math.floor(Date.now() / 1000) - 60 });
  let credentials: CredentialsOnMoto;
  let s3: S3Client;
  let archive: Record<string, string>;
  let recorder: ResourceRecorder;
  let handler: FunctionUrlHandler;

  before(async () => {
    credentials = await startCredentialsOnMoto(TABLE, [publisher.record, reader.record]);
    s3 = new S3Client(credentials.moto.clientConfig);
    await createIndexBucket(s3, BUCKET);
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
    };
    const upload = new UploadFunction<UploadFunctionConfig, "bucketName">("upload", {
      functionName: "ppi-dev-upload",
      handlerFactory: uploadFunctionHandlerFactory,
      handlerConfig: plain,
      // An Output, as the bucket's generated name is when the program runs.
      deployTimeConfig: { bucketName: pulumi.output(BUCKET) },
      bundledPackages: [...UPLOAD_FUNCTION_PACKAGES],
    });
    // Serializing the closure and walking its packages takes seconds on a busy machine.
    await valueOf(upload.url, "the function URL", 90_000);
    await settle();
    archive = await archiveOf(recorder.one("aws:lambda/function:Function"));
    handler = loadEdgeBundle<FunctionUrlHandler>(archive["__index.js"]);
  });
  after(async () => {
    s3?.destroy();
    await credentials?.stop();
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
});
