/**
 * `npm run bench -- peer`: this project's compiled CLI side by side with s3pypi 2.0.1 (pinned in
 * python/requirements.txt) on one moto_server, interleaved run by run, medians with min–max:
 * one publish of a new version into an existing project (the whole process), `--help` start-up,
 * 16 publishers of 16 new versions at once (16 processes; s3pypi with its DynamoDB lock table),
 * and the S3 requests of one publish, counted by a proxy in front of moto_server (DynamoDB calls,
 * which carry `X-Amz-Target`, are counted apart).
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { indexLocation } from "../publishing/indexLocation";
import { readProject } from "../publishing/pageWriter";
import { IndexStore } from "../publishing/indexStore";
import { buildWheel } from "../publishing/wheelBuilder";
import { pythonTool } from "../sandbox/pythonTools";
import { createIndexBucket } from "../sandbox/resources";
import { startMoto } from "../sandbox/moto";
import { runProcess, summary } from "./measure";

const RUNS = 7;
const CONCURRENT = 16;
const CONCURRENT_ROUNDS = 3;
const PROJECT = "peer-bench";
const OURS_BUCKET = "peer-bench-ours";
const S3PYPI_BUCKET = "peer-bench-s3pypi";
const CLI = path.join(__dirname, "..", "dist", "cli", "main.js");
const S3PYPI = pythonTool("s3pypi");

/** A proxy in front of moto_server that counts the S3 requests (not DynamoDB's) passing through. */
function countingProxy(
  target: string,
): Promise<{ url: string; s3Requests: () => number; close: () => void }> {
  const upstream = new URL(target);
  let count = 0;
  const server = http.createServer((req, res) => {
    if (!req.headers["x-amz-target"]) count++;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, s3Requests: () => count, close: () => server.close() });
    }),
  );
}

export async function run(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``);
  if (!fs.existsSync(S3PYPI)) throw new Error(`${S3PYPI} is missing: run \`npm run python-tools\``);
  const moto = await startMoto();
  const proxy = await countingProxy(moto.endpoint);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-peer-"));
  const s3 = new S3Client(moto.clientConfig);
  const dynamodb = new DynamoDBClient(moto.clientConfig);
  try {
    await createIndexBucket(s3, OURS_BUCKET);
    await createIndexBucket(s3, S3PYPI_BUCKET);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: `${S3PYPI_BUCKET}-locks`,
        AttributeDefinitions: [{ AttributeName: "LockID", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "LockID", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    // botocore (s3pypi) reads AWS_DEFAULT_REGION; its lock table is reached through AWS_ENDPOINT_URL.
    const env = { ...moto.env, AWS_ENDPOINT_URL: proxy.url, AWS_DEFAULT_REGION: moto.clientConfig.region };
    let wheels = 0;
    const wheel = (version: string) => {
      const built = buildWheel({ name: PROJECT, version });
      const file = path.join(work, `${++wheels}`, built.filename);
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, built.bytes);
      return file;
    };
    const ours = (file: string) =>
      runProcess(process.execPath, [CLI, "publish", "--tenant", "bench", "--bucket", OURS_BUCKET, file], env);
    const s3pypi = (file: string) =>
      runProcess(
        S3PYPI,
        [
          "upload",
          file,
          "--bucket",
          S3PYPI_BUCKET,
          "--s3-endpoint-url",
          proxy.url,
          "--region",
          moto.clientConfig.region,
          "--put-root-index",
        ],
        env,
      );
    const tools = { "this project (node dist/cli/main.js)": ours, "s3pypi 2.0.1": s3pypi };
    for (const publishOne of Object.values(tools)) await publishOne(wheel("0.1")); // the project exists

    const rows: Record<string, Record<string, string>> = {};
    const publishMs: Record<string, number[]> = {};
    const requests: Record<string, number[]> = {};
    const helpMs: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      for (const [name, publishOne] of Object.entries(tools)) {
        const file = wheel(`1.${i}`);
        const before = proxy.s3Requests();
        (publishMs[name] ??= []).push(await publishOne(file));
        (requests[name] ??= []).push(proxy.s3Requests() - before);
      }
      for (const name of Object.keys(tools)) {
        const [command, args] = name.startsWith("s3pypi")
          ? [S3PYPI, ["--help"]]
          : [process.execPath, [CLI, "--help"]];
        (helpMs[name] ??= []).push(await runProcess(command, args, env));
      }
    }
    const concurrentMs: Record<string, number[]> = {};
    const lost: Record<string, number[]> = {};
    const failed: Record<string, number[]> = {};
    for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
      for (const [name, publishOne] of Object.entries(tools)) {
        const files = Array.from({ length: CONCURRENT }, (_, k) => wheel(`2.${round}.${k}`));
        const started = performance.now();
        // s3pypi gives up after 10 lock attempts 1 s apart: a failed publisher counts, it does not stop the bench.
        const outcomes = await Promise.all(
          files.map((file) =>
            publishOne(file).then(
              () => 0,
              () => 1,
            ),
          ),
        );
        (concurrentMs[name] ??= []).push(performance.now() - started);
        (failed[name] ??= []).push(outcomes.reduce((a: number, b) => a + b, 0));
        if (name.startsWith("this")) {
          const page = await readProject(new IndexStore(s3, OURS_BUCKET), indexLocation("bench"), PROJECT);
          const listed = new Set(page?.files.map((f) => f.filename));
          (lost[name] ??= []).push(files.filter((f) => !listed.has(path.basename(f))).length);
        }
      }
    }
    for (const name of Object.keys(tools)) {
      rows[name] = {
        "one publish of a new version, whole process": summary(publishMs[name], "ms"),
        "--help (start-up)": summary(helpMs[name], "ms"),
        [`${CONCURRENT} publishers at once, ${CONCURRENT} processes (wall)`]: summary(
          concurrentMs[name],
          "ms",
        ),
        "S3 requests per publish of a new version": summary(requests[name], ""),
        [`publishers that failed, of ${CONCURRENT}`]: summary(failed[name], ""),
        ...(lost[name]
          ? { [`versions missing from the page, of ${CONCURRENT}`]: summary(lost[name], "") }
          : {}),
      };
    }
    const measures = [...new Set(Object.values(rows).flatMap((r) => Object.keys(r)))];
    const names = Object.keys(tools);
    console.log(`| measure | ${names.join(" | ")} |`);
    console.log(`|---|${names.map(() => "---").join("|")}|`);
    for (const measure of measures)
      console.log(`| ${measure} | ${names.map((n) => rows[n][measure] ?? "n/a").join(" | ")} |`);
    console.log(
      `\n${RUNS} interleaved runs (${CONCURRENT_ROUNDS} rounds of ${CONCURRENT}); median (min–max); ${os.cpus().length} cores`,
    );
  } finally {
    s3.destroy();
    dynamodb.destroy();
    proxy.close();
    await moto.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
