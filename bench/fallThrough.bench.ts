/**
 * What upstream fall-through costs, in the sandbox (the serialized bundles, S3 on moto_server):
 * the time of a private page hit and of an unknown name with the origin-response function (302)
 * and without it (404), sequential GETs on loopback that do not follow the redirect; and the size
 * of both bundles. CloudFront itself adds the function's invocation to every cache miss of a
 * page, which no local figure shows; these show the handler's own share.
 */
import * as zlib from "zlib";
import { startSandbox, Sandbox } from "../sandbox";
import { serializeEdgeBundle, serializeOriginResponseBundle } from "../sandbox/edgeBundle";

const ROUNDS = 300;
/** Nothing listens there: the bench never follows a redirect. */
const UPSTREAM = "http://127.0.0.1:9/simple/";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeGets(
  sandbox: Sandbox,
  path: string,
  expected: number,
): Promise<{ first: number; median: number }> {
  const authorization = `Basic ${Buffer.from(`${sandbox.publicKey}:${sandbox.secretKey}`).toString("base64")}`;
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.hrtime.bigint();
    const response = await fetch(`${sandbox.origin}${path}`, {
      headers: { authorization },
      redirect: "manual",
    });
    await response.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (response.status !== expected) throw new Error(`${path}: ${response.status}, expected ${expected}`);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

export async function run(): Promise<void> {
  const bundles = {
    "viewer-request": await serializeEdgeBundle({
      tableName: "ppi-dev-credentials",
      tableRegion: "us-east-1",
      replicaRegions: [],
      realm: "python-package-index",
      keyCacheSeconds: 60,
      unknownKeyCacheSeconds: 10,
      branchChannels: true,
    }),
    "origin-response": await serializeOriginResponseBundle({
      bucketRegion: "eu-west-1",
      upstreamIndex: "https://pypi.org/simple/",
      tenantUpstreamIndexes: {},
    }),
  };
  for (const [name, text] of Object.entries(bundles)) {
    const bytes = Buffer.byteLength(text);
    console.log(`${name} bundle: ${bytes} bytes, ${zlib.gzipSync(text).length} bytes gzipped`);
  }
  const rows: string[] = [];
  for (const upstreamIndex of [undefined, UPSTREAM]) {
    const sandbox = await startSandbox({ port: 0, quiet: true, ...(upstreamIndex ? { upstreamIndex } : {}) });
    try {
      const label = upstreamIndex ? "with fall-through" : "without (off)";
      const hit = await timeGets(sandbox, `/simple/${sandbox.demo.project}/`, 200);
      const miss = await timeGets(sandbox, "/simple/ppi-not-private/", upstreamIndex ? 302 : 404);
      rows.push(
        `${label}: private page hit first ${hit.first.toFixed(2)} ms, median ${hit.median.toFixed(2)} ms`,
      );
      rows.push(
        `${label}: unknown name (${upstreamIndex ? "302" : "404"}) first ${miss.first.toFixed(2)} ms, median ${miss.median.toFixed(2)} ms`,
      );
    } finally {
      await sandbox.stop();
    }
  }
  console.log(`${ROUNDS} sequential GETs each:\n${rows.join("\n")}`);
}
