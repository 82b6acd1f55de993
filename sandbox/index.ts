/**
 * The local index: the serialized edge bundle (the exact text the CallbackFunction ships) in
 * front of S3 and DynamoDB on moto_server, behind an HTTP server that emulates CloudFront.
 * `npm start` runs it (see `main.ts`); tests, benchmarks and the CLI's `check` tests start it
 * in-process with `startSandbox`.
 */
import * as http from "http";
import * as https from "https";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createCloudFrontListener, ServedRequest } from "./cloudfront";
import {
  OriginResponseHandler,
  loadEdgeBundle,
  serializeEdgeBundle,
  serializeOriginResponseBundle,
} from "./edgeBundle";
import { DemoContent, seedDemo } from "./demo";
import { MotoServer, startMoto } from "./moto";
import { DEFAULT_SANDBOX_PORT } from "./port";
import { claimProcessEnv } from "./processEnv";
import { createCredentialsTable, createIndexBucket, SANDBOX_BUCKET, SANDBOX_TABLE } from "./resources";
import { S3Origin } from "./s3Origin";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import { LEGACY_UPLOAD_PATH, UPLOAD_BODY_LIMIT_BYTES } from "../domain/upload";
import { createCachedLookup } from "../edge/credentialLookup";
import { createDynamoCredentialStore } from "../edge/dynamoCredentialStore";
import { IndexStore } from "../publishing/indexStore";
import { createUploadHandler } from "../upload/handler";
import { UploadHandler } from "../upload/http";
import { GITHUB_OIDC_URL } from "../domain/oidc";
import { TrustedPublishingConfig } from "../publishing/trustedPublishing";
import { trustedPublishingStore } from "../publishing/trustedPublishers";
import { createSandboxTls } from "./tls";

/** The sandbox keeps everything in one region: the credentials table's, as deployed. */
export const SANDBOX_REGION = CLOUDFRONT_REGION;
export const SANDBOX_REALM = "python-package-index sandbox";

export interface SandboxOptions {
  /** Loopback port to listen on; 0 picks a free one. @default 8080 */
  readonly port?: number;
  /** An S3 + DynamoDB endpoint to use instead of starting moto_server. @default a new moto_server */
  readonly endpointUrl?: string;
  /**
   * A moto_server the caller has begun starting (so it boots while the caller loads this module);
   * the sandbox owns it from then on and stops it on `stop()`. @default started here
   */
  readonly moto?: Promise<MotoServer>;
  /**
   * Print no request log (nor the upload function's lines). The edge bundle still writes its one
   * JSON line per denied request to stdout, as it writes it to CloudWatch when deployed. @default false
   */
  readonly quiet?: boolean;
  /** How long the edge trusts a looked-up valid key: the bound on revocation delay. @default 60 */
  readonly keyCacheSeconds?: number;
  /** How long the edge remembers an unknown key. @default 10 */
  readonly unknownKeyCacheSeconds?: number;
  /**
   * Upstream fall-through: project pages the tenant does not have (nor has reserved) redirect to
   * this index (`https://…/simple/`, or `http://127.0.0.1:<port>/…` for a local stand-in), through
   * the serialized origin-response bundle. @default none: a missing page is 404
   */
  readonly upstreamIndex?: string;
  /** Replaces every viewer's `Accept` header (emulates a client that takes one page format). @default none */
  readonly acceptOverride?: string;
  /**
   * Serve HTTPS (with a certificate made at start by a throwaway CA, `Sandbox.caFile`) instead of
   * HTTP: uv fetches `/_/oidc/*` over HTTPS only, so trusted publishing with uv needs it. @default false
   */
  readonly https?: boolean;
  /**
   * The OIDC issuer trusted publishing trusts, e.g. a loopback stand-in for GitHub's token service
   * (`http://127.0.0.1:<port>`, its JWKS at `/.well-known/jwks`). @default GITHUB_OIDC_URL
   */
  readonly trustedIssuer?: string;
  /** Called once per answered request. @default none */
  readonly onServed?: (served: ServedRequest) => void;
}

export interface Sandbox {
  /** The index URL clients use, e.g. `http://127.0.0.1:8080/simple/` (credentials not included). */
  readonly url: string;
  /** The upload URL (`twine upload --repository-url`, `uv publish --publish-url`): `<origin>/legacy/`. */
  readonly uploadUrl: string;
  /** `http://127.0.0.1:<port>` (`https://` with `https`): the emulated distribution's origin. */
  readonly origin: string;
  /** With `https`: the CA certificate to give clients (SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
  readonly caFile?: string;
  /** Trusted publishing's issuer and audience (`127.0.0.1:<port>`, the host, as deployed). */
  readonly trustedPublishing: TrustedPublishingConfig;
  readonly port: number;
  /** The demo tenant's key. */
  readonly publicKey: string;
  readonly secretKey: string;
  /** What the operator CLI needs to reach this sandbox (the lines of `.sandbox/env`). */
  readonly env: Readonly<Record<string, string>>;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
  /** The S3/DynamoDB endpoint (moto_server unless `endpointUrl` was given). */
  readonly endpoint: string;
  readonly demo: DemoContent;
  /** Milliseconds from `startSandbox` until it was ready to serve. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** `http://PUBLIC:SECRET@host/...`: an index URL with a key in it, as customers paste it into pip. */
export function urlWithKey(url: string, publicKey: string, secretKey: string): string {
  const withKey = new URL(url);
  withKey.username = publicKey;
  withKey.password = secretKey;
  return withKey.href;
}

/**
 * The upload function as the sandbox runs it: the same handler the deployed function wraps, over
 * the sandbox's bucket and the same cached lookup of the credentials table the edge uses.
 */
function sandboxUploadHandler(
  s3: S3Client,
  dynamodb: DynamoDBClient,
  keyCacheSeconds: number,
  unknownKeyCacheSeconds: number,
  trustedPublishing: TrustedPublishingConfig,
  log: (line: string) => void,
): UploadHandler {
  const store = createDynamoCredentialStore(SANDBOX_TABLE, {
    tableRegion: SANDBOX_REGION,
    replicaRegions: [],
  });
  return createUploadHandler(
    { realm: SANDBOX_REALM, bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES, trustedPublishing },
    {
      store: new IndexStore(s3, SANDBOX_BUCKET),
      lookup: createCachedLookup(store, {
        validTtlMs: keyCacheSeconds * 1000,
        unknownTtlMs: unknownKeyCacheSeconds * 1000,
      }),
      now: () => Date.now(),
      log,
      trustedPublishing: trustedPublishingStore({ dynamodb, table: SANDBOX_TABLE }),
    },
  );
}

function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `sandbox port ${port} is not a TCP port; use an integer from 1 to 65535 (0 picks a free one)`,
    );
  }
}

function listen(server: http.Server | https.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`port ${port} on 127.0.0.1 is in use; choose another with --port N or PORT=N`)
          : err,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Runs `cleanups` in reverse order, even when one fails. */
async function unwind(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // keep unwinding: the rest still needs stopping
    }
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const started = Date.now();
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const { endpointUrl } = options;
    const stopOnUnwind = (starting: Promise<MotoServer>) =>
      cleanups.push(() => starting.then((m) => m.stop()));
    // A moto_server the caller began starting is ours from the first line, so any failure stops it.
    if (options.moto) stopOnUnwind(options.moto);
    if (endpointUrl !== undefined && options.moto !== undefined) {
      throw new Error("startSandbox: give either endpointUrl or moto, not both");
    }
    const requestedPort = options.port ?? DEFAULT_SANDBOX_PORT;
    validatePort(requestedPort);
    const motoStarting =
      options.moto ?? (endpointUrl === undefined ? startMoto({ region: SANDBOX_REGION }) : undefined);
    if (motoStarting && !options.moto) stopOnUnwind(motoStarting);
    const keyCacheSeconds = options.keyCacheSeconds ?? 60;
    const unknownKeyCacheSeconds = options.unknownKeyCacheSeconds ?? 10;
    const bundleText = serializeEdgeBundle({
      tableName: SANDBOX_TABLE,
      tableRegion: SANDBOX_REGION,
      replicaRegions: [],
      realm: SANDBOX_REALM,
      keyCacheSeconds,
      unknownKeyCacheSeconds,
      branchChannels: true,
    });
    bundleText.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    const originResponseText =
      options.upstreamIndex === undefined
        ? undefined
        : serializeOriginResponseBundle({
            bucketRegion: SANDBOX_REGION,
            upstreamIndex: options.upstreamIndex,
            tenantUpstreamIndexes: {},
            allowLoopbackUpstream: true,
          });
    originResponseText?.catch(() => undefined);
    const moto = await motoStarting;
    const endpoint = moto?.endpoint ?? endpointUrl ?? "";
    const awsEnv = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: SANDBOX_REGION,
      AWS_ACCESS_KEY_ID: moto ? "testing" : (process.env.AWS_ACCESS_KEY_ID ?? "testing"),
      AWS_SECRET_ACCESS_KEY: moto ? "testing" : (process.env.AWS_SECRET_ACCESS_KEY ?? "testing"),
    };
    // Anything that would send the bundle's client elsewhere than `endpoint` goes for the duration.
    cleanups.push(
      claimProcessEnv({
        ...awsEnv,
        AWS_ENDPOINT_URL_DYNAMODB: undefined,
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
        AWS_PROFILE: undefined,
        AWS_SESSION_TOKEN: undefined,
      }),
    );
    const clientConfig = {
      endpoint,
      region: SANDBOX_REGION,
      credentials: { accessKeyId: awsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY },
    };
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const dynamodb = new DynamoDBClient(clientConfig);
    cleanups.push(
      () => s3.destroy(),
      () => dynamodb.destroy(),
    );
    await Promise.all([
      createIndexBucket(s3, SANDBOX_BUCKET),
      createCredentialsTable(dynamodb, SANDBOX_TABLE),
    ]).catch((err: Error) => {
      const source = moto ? "moto_server" : "AWS_ENDPOINT_URL";
      throw new Error(
        `could not create the sandbox's bucket and table at ${endpoint} (${source}): ${err.message}`,
      );
    });

    const handler = loadEdgeBundle(await bundleText);
    const originResponse = originResponseText
      ? loadEdgeBundle<OriginResponseHandler>(await originResponseText)
      : undefined;
    const tls = options.https ? createSandboxTls() : undefined;
    if (tls) cleanups.push(() => tls.remove());
    // Listening first: the audience is the host, port included, known once the port is bound.
    const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }) : http.createServer();
    const port = await listen(server, requestedPort);
    cleanups.push(() => closeServer(server));
    const origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
    const trustedPublishing = {
      issuer: options.trustedIssuer ?? GITHUB_OIDC_URL,
      audience: new URL(origin).host,
    };
    server.on(
      "request",
      createCloudFrontListener({
        handler,
        ...(originResponse ? { originResponse, bucket: SANDBOX_BUCKET } : {}),
        origin: new S3Origin(s3, SANDBOX_BUCKET),
        // The upload function's log lines (CloudWatch when deployed) are part of the request log here.
        upload: sandboxUploadHandler(
          s3,
          dynamodb,
          keyCacheSeconds,
          unknownKeyCacheSeconds,
          trustedPublishing,
          (line) => {
            if (!options.quiet) console.log(line);
          },
        ),
        ...(options.acceptOverride !== undefined ? { acceptOverride: options.acceptOverride } : {}),
        onServed: (served) => {
          options.onServed?.(served);
          if (!options.quiet) console.log(`${served.status} ${served.method} ${served.url}`);
        },
      }),
    );
    const url = `${origin}/simple/`;
    const demo = await seedDemo({ s3, dynamodb, bucket: SANDBOX_BUCKET, table: SANDBOX_TABLE });

    let stopped: Promise<void> | undefined;
    return {
      url,
      uploadUrl: `${origin}${LEGACY_UPLOAD_PATH}`,
      origin,
      ...(tls ? { caFile: tls.caFile } : {}),
      trustedPublishing,
      port,
      publicKey: demo.publicKey,
      secretKey: demo.secretKey,
      env: {
        ...awsEnv,
        PACKAGE_INDEX_BUCKET: SANDBOX_BUCKET,
        PACKAGE_INDEX_TABLE: SANDBOX_TABLE,
        PACKAGE_INDEX_URL: url,
      },
      bucket: SANDBOX_BUCKET,
      table: SANDBOX_TABLE,
      region: SANDBOX_REGION,
      endpoint,
      demo,
      readyMs: Date.now() - started,
      stop: () => (stopped ??= unwind(cleanups)),
    };
  } catch (err) {
    await unwind(cleanups);
    throw err;
  }
}
