/**
 * The sandbox with a real client: `pip download` of PACKAGE_COUNT packages through the sandbox
 * (the edge bundle, then the CDN cache emulation for immutable files and S3 on moto_server for
 * the rest, as CloudFront serves them) versus the same files as a static PEP 503 tree served by
 * `python3 -m http.server`, both on loopback; and the sandbox's time to ready, in-process
 * (`startSandbox`) and as `npm start` runs it (compiled, from dist/).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startSandbox, Sandbox, urlWithKey } from "../sandbox";
import { freePort } from "../sandbox/moto";
import { pythonTool } from "../sandbox/pythonTools";
import { pip } from "../fixtures/pythonClients";
import { indexFixture } from "../fixtures/sandboxIndex";

const PACKAGE_COUNT = 20;
const ROUNDS = 5;
const PAYLOAD_BYTES = 64 * 1024;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const projects = Array.from({ length: PACKAGE_COUNT }, (_, i) => `ppi-bench-${String(i).padStart(2, "0")}`);

async function publishBenchPackages(sandbox: Sandbox): Promise<void> {
  const fixture = indexFixture(sandbox);
  try {
    const payload = (seed: number) =>
      Uint8Array.from({ length: PAYLOAD_BYTES }, (_, i) => (i * 7919 + seed) % 251);
    await fixture.publishWheels(
      "demo",
      projects.map((name, i) => ({
        name,
        version: "1.0.0",
        files: { [`${name.replace(/-/g, "_")}/data.bin`]: payload(i) },
      })),
    );
  } finally {
    fixture.destroy();
  }
}

/** Copies the demo tenant's main channel out of the bucket as a static tree (`simple/`, `files/`). */
async function exportStaticTree(sandbox: Sandbox, dir: string): Promise<void> {
  const s3 = new S3Client({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: sandbox.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: sandbox.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const prefix = "demo/main/";
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: sandbox.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) {
      if (!Key || Key.endsWith(".json")) continue; // a static tree serves HTML only
      const object = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key }));
      const file = path.join(dir, Key.slice(prefix.length));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, await object.Body!.transformToByteArray());
    }
    token = page.NextContinuationToken;
  } while (token);
  s3.destroy();
}

async function startStaticServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    pythonTool("python"),
    ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir],
    {
      stdio: "ignore",
    },
  );
  const url = `http://127.0.0.1:${port}/simple/`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  throw new Error(`python -m http.server did not answer on ${url}`);
}

async function timedDownload(indexUrl: string, work: string): Promise<number> {
  const dest = fs.mkdtempSync(path.join(work, "dl-"));
  const started = process.hrtime.bigint();
  const result = await pip("download", indexUrl, ["--no-deps", "--dest", dest, ...projects]);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.code !== 0) throw new Error(`pip download failed against ${indexUrl}: ${result.stderr}`);
  const fetched = fs.readdirSync(dest).length;
  if (fetched !== PACKAGE_COUNT)
    throw new Error(`pip downloaded ${fetched} files, expected ${PACKAGE_COUNT}`);
  fs.rmSync(dest, { recursive: true, force: true });
  return elapsedMs;
}

/** The compiled `dist/sandbox/main.js`, as `npm start` runs it, until it prints the pip line. */
async function npmStartReadyMs(envFile: string): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(__dirname, "..", "dist", "sandbox", "main.js")], {
    // its own env file, so a developer's running sandbox keeps its .sandbox/env
    env: { ...process.env, PORT: "0", AWS_ENDPOINT_URL: "", PPI_SANDBOX_ENV_FILE: envFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let output = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        if (output.includes("pip install --index-url")) resolve(Date.now() - started);
      });
      child.once("exit", (code) => reject(new Error(`npm start exited with ${code} before it was ready`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
    }
  }
}

async function comparePipDownloads(work: string): Promise<void> {
  const sandbox = await startSandbox({ port: 0, quiet: true });
  let staticServer: ChildProcess | undefined;
  try {
    await publishBenchPackages(sandbox);
    const tree = path.join(work, "tree");
    await exportStaticTree(sandbox, tree);
    const server = await startStaticServer(tree);
    staticServer = server.child;
    const sandboxIndex = urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);

    // First runs: the edge looks the key up, the CDN cache is empty, the OS caches pip's imports.
    const sandboxColdMs = await timedDownload(sandboxIndex, work);
    const staticColdMs = await timedDownload(server.url, work);
    const sandboxMs: number[] = [];
    const staticMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      sandboxMs.push(await timedDownload(sandboxIndex, work));
      staticMs.push(await timedDownload(server.url, work));
    }
    const ratio = median(sandboxMs) / median(staticMs);
    console.log(
      `pip download of ${PACKAGE_COUNT} wheels (${PAYLOAD_BYTES / 1024} KB payload each), median of ${ROUNDS}:`,
    );
    console.log(
      `  through the sandbox (edge bundle, CDN cache for files, S3 on moto): ${median(sandboxMs).toFixed(0)} ms` +
        ` (first run: ${sandboxColdMs.toFixed(0)} ms)`,
    );
    console.log(
      `  static PEP 503 tree (python3 -m http.server):                      ${median(staticMs).toFixed(0)} ms` +
        ` (first run: ${staticColdMs.toFixed(0)} ms)`,
    );
    console.log(
      `  overhead ratio: ${ratio.toFixed(2)}x (target <= 1.3x) ${ratio <= 1.3 ? "ok" : "OVER TARGET"}`,
    );
    console.log(`sandbox time to ready, in-process startSandbox: ${sandbox.readyMs} ms (target <= 10000 ms)`);
  } finally {
    staticServer?.kill();
    await sandbox.stop();
  }
}

export async function run(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-bench-sandbox-"));
  try {
    await comparePipDownloads(work);
    const readyMs = await npmStartReadyMs(path.join(work, "env"));
    console.log(
      `sandbox time to ready, dist/sandbox/main.js (what npm start runs) until the pip line: ${readyMs} ms`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
