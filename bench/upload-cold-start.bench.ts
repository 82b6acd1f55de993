/**
 * `npm run bench -- upload-cold-start`: the serialized upload function's cold start — in a fresh
 * Node process per run, load the `__index.js` CallbackFunction would ship (for the same factory and
 * config), then one upload against moto_server (first key lookup, first S3 writes), then a warm one.
 * Medians with min–max over COLD_RUNS processes. Node's start and ts-node are outside the timings;
 * Lambda's own init (runtime start, archive download) is not modelled.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { S3Client } from "@aws-sdk/client-s3";
import { UPLOAD_BODY_LIMIT_BYTES } from "../domain/upload";
import { startCredentialsOnMoto } from "../fixtures/credentialsOnMoto";
import { makeKey } from "../fixtures/edgeKeys";
import { serializeFactory } from "../sandbox/edgeBundle";
import { createIndexBucket } from "../sandbox/resources";
import { uploadFunctionHandlerFactory } from "../upload/lambda";

const COLD_RUNS = 7;
const TABLE = "ppi-bench-credentials";
const BUCKET = "ppi-bench-index-cold";

type Timings = { loadMs: number; firstUploadMs: number; warmUploadMs: number };

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(1)} ms (${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)})`;
}

export async function run(): Promise<void> {
  const key = makeKey({ scope: "publish", createdAt: Math.floor(Date.now() / 1000) - 60 });
  const aws = await startCredentialsOnMoto(TABLE, [key.record]);
  const s3 = new S3Client(aws.moto.clientConfig);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-upload-bench-"));
  try {
    await createIndexBucket(s3, BUCKET);
    const text = await serializeFactory(
      uploadFunctionHandlerFactory({
        realm: "python-package-index",
        bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES,
        bucketName: BUCKET,
        bucketRegion: "us-east-1",
        tableName: TABLE,
        tableRegion: "us-east-1",
        replicaRegions: [],
        keyCacheSeconds: 60,
        unknownKeyCacheSeconds: 10,
        trustedPublishingAudience: "ppi-bench",
      }),
    );
    const bundlePath = path.join(dir, "__index.js");
    fs.writeFileSync(bundlePath, text);
    console.log(`__index.js: ${Buffer.byteLength(text, "utf8")} bytes`);
    const runs: Timings[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          path.join(__dirname, "uploadColdStart.ts"),
          bundlePath,
          key.authorization,
          `1.${i}`,
        ],
        { cwd: path.join(__dirname, ".."), env: { ...process.env, ...aws.moto.env } },
      );
      runs.push(JSON.parse(stdout.trim().split("\n").pop()!) as Timings);
    }
    console.log(
      `upload function cold start, median (min–max) of ${COLD_RUNS} fresh processes: ` +
        `load __index.js ${summary(runs.map((r) => r.loadMs))}, ` +
        `first upload on moto ${summary(runs.map((r) => r.firstUploadMs))}, ` +
        `warm upload ${summary(runs.map((r) => r.warmUploadMs))}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    s3.destroy();
    await aws.stop();
  }
}
