/**
 * The edge bundle (the `__index.js` text the EdgeFunction deploys, from `serializeEdgeBundle`):
 * its size; time per request with a cached valid key and with no credentials (in-process, ROUNDS
 * rounds of many iterations: the median of the rounds' medians with their min–max, and p99), the
 * wheel again with a new URI on every request (the handler's route and origin memos never hit);
 * and the cold path in a fresh Node process — load the bundle, then
 * the first request with a lookup against moto_server — with the loopback lookup measured
 * separately so the figure "excluding network" can be read off.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { CloudFrontRequestEvent } from "aws-lambda";
import { loadEdgeBundle, serializeEdgeBundle, ViewerRequestHandler } from "../sandbox/edgeBundle";
import { viewerRequestEvent } from "../fixtures/cloudfrontEvents";
import { TEST_HANDLER_CONFIG, makeKey } from "../fixtures/edgeKeys";
import { startCredentialsOnMoto } from "../fixtures/credentialsOnMoto";

const ITERATIONS = 20_000;
const WARMUP = 2_000;
const ROUNDS = 5;
const COLD_RUNS = 5;
const PIP_ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One round: the handler over fresh events (it mutates the request it forwards); µs per request. */
async function round(handler: ViewerRequestHandler, makeEvent: (i: number) => CloudFrontRequestEvent) {
  for (let i = 0; i < WARMUP; i++) await handler(makeEvent(i));
  const events = Array.from({ length: ITERATIONS }, (_, i) => makeEvent(WARMUP + i));
  const samples: number[] = [];
  for (const event of events) {
    const start = process.hrtime.bigint();
    await handler(event);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return samples.sort((a, b) => a - b);
}

/** ROUNDS rounds: the median of their medians (min–max) and the median of their p99s. */
async function timePerRequest(
  handler: ViewerRequestHandler,
  makeEvent: (i: number) => CloudFrontRequestEvent,
) {
  const medians: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const samples = await round(handler, (i) => makeEvent(r * (WARMUP + ITERATIONS) + i));
    medians.push(percentile(samples, 50));
    p99s.push(percentile(samples, 99));
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const m = sorted(medians);
  return (
    `median ${percentile(m, 50).toFixed(1)} µs (min–max of ${ROUNDS} rounds ${m[0].toFixed(1)}–${m[m.length - 1].toFixed(1)}), ` +
    `p99 ${percentile(sorted(p99s), 50).toFixed(1)} µs (${ROUNDS} × ${ITERATIONS} requests)`
  );
}

interface ColdStartInput {
  readonly bundlePath: string;
  readonly env: Record<string, string>;
  readonly authorization: string;
  readonly unknownAuthorization: string;
}

/** Medians over COLD_RUNS fresh processes. */
async function coldStarts(input: ColdStartInput) {
  const runs: { loadMs: number; firstRequestMs: number; warmLookupMs: number }[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(__dirname, "edgeColdStart.ts"),
        input.bundlePath,
        input.authorization,
        input.unknownAuthorization,
      ],
      { cwd: path.join(__dirname, ".."), env: { ...process.env, ...input.env } },
    );
    runs.push(JSON.parse(stdout.trim().split("\n").pop()!));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const load = median(runs.map((r) => r.loadMs));
  const first = median(runs.map((r) => r.firstRequestMs));
  const lookup = median(runs.map((r) => r.warmLookupMs));
  return { load, first, lookup };
}

export async function run(): Promise<void> {
  const key = makeKey();
  const text = await serializeEdgeBundle(TEST_HANDLER_CONFIG);
  console.log(`bundle size: ${Buffer.byteLength(text, "utf8")} bytes (__index.js, the whole archive)`);

  const aws = await startCredentialsOnMoto(TEST_HANDLER_CONFIG.tableName, [key.record]);
  const log = console.log;
  try {
    const handler = loadEdgeBundle(text);
    const page = await timePerRequest(handler, () =>
      viewerRequestEvent({
        uri: "/simple/demo/",
        headers: { Authorization: key.authorization, Accept: PIP_ACCEPT },
      }),
    );
    console.log(`cached valid key, project page with pip's Accept: ${page}`);
    const file = await timePerRequest(handler, () =>
      viewerRequestEvent({
        uri: "/files/demo/demo-1.0-py3-none-any.whl",
        headers: { Authorization: key.authorization },
      }),
    );
    console.log(`cached valid key, wheel: ${file}`);
    const everyUriNew = await timePerRequest(handler, (i) =>
      viewerRequestEvent({
        uri: `/files/demo/demo-1.0.${i}-py3-none-any.whl`,
        headers: { Authorization: key.authorization },
      }),
    );
    console.log(`cached valid key, wheel, a new URI every request (memos miss): ${everyUriNew}`);
    console.log = () => undefined; // the denial line is still built; only its output is dropped
    const anonymous = await timePerRequest(handler, () => viewerRequestEvent({ uri: "/simple/demo/" }));
    console.log = log;
    console.log(`no credentials (401 + log line): ${anonymous}`);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-edge-bench-"));
    const input = {
      bundlePath: path.join(dir, "__index.js"),
      env: aws.moto.env,
      authorization: key.authorization,
      unknownAuthorization: makeKey().authorization,
    };
    fs.writeFileSync(input.bundlePath, text);
    try {
      const cold = await coldStarts(input);
      console.log(
        `cold start in a fresh process (median of ${COLD_RUNS}): load bundle ${cold.load.toFixed(1)} ms, ` +
          `first request with a GetItem on moto ${cold.first.toFixed(1)} ms, ` +
          `a warm GetItem on moto ${cold.lookup.toFixed(1)} ms → load + first request excluding ` +
          `the lookup round trip ≈ ${(cold.load + cold.first - cold.lookup).toFixed(1)} ms`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    console.log = log;
    await aws.stop();
  }
}
