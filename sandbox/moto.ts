/**
 * Starts and stops a private `moto_server` (S3 + DynamoDB) on a free loopback port for the
 * sandbox, a test suite or a benchmark. Each caller gets its own server, so nothing shares state.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import * as path from "path";
import { PROJECT_ROOT } from "../build/stamp";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import { pythonTool } from "./pythonTools";

/** moto_server's application behind one lock (see the file); a source file, read from sandbox/ also by the build. */
const SERIAL_MOTO_SERVER = path.join(PROJECT_ROOT, "sandbox", "serialMotoServer.py");

export interface MotoServer {
  /** e.g. `http://127.0.0.1:41234` — pass as the SDK's `endpoint`. */
  readonly endpoint: string;
  /** Region and fake credentials the SDK clients should use against this server. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly forcePathStyle: true;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Environment variables for a child process (the CLI, the sandbox) to reach this server. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** Keeps the end of moto's log: it logs every request, so an unread pipe would fill and stall it. */
function drainLogTail(child: ChildProcess, maxChars = 2000): () => string {
  let tail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-maxChars);
  });
  return () => tail.trim();
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  logTail: () => string,
  deadlineMs: number,
): Promise<void> {
  const started = Date.now();
  let exited = false;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  while (Date.now() - started < deadlineMs) {
    if (exited) throw new Error(`moto_server exited before it was ready (${endpoint}): ${logTail()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGTERM");
  throw new Error(`moto_server did not answer on ${endpoint} within ${deadlineMs} ms: ${logTail()}`);
}

export async function startMoto(options: { region?: string } = {}): Promise<MotoServer> {
  // The pinned moto of the project's tools environment (never one from PATH), through an entry
  // point that makes S3's conditional writes atomic as they are on AWS (serialMotoServer.py).
  const motoServer = pythonTool("python");
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const region = options.region ?? CLOUDFRONT_REGION;
  const child = spawn(motoServer, [SERIAL_MOTO_SERVER, "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "false" },
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (err) => reject(new Error(`could not start ${motoServer}: ${err.message}`))),
  );
  const logTail = drainLogTail(child);
  await Promise.race([waitUntilReady(endpoint, child, logTail, 20_000), spawnError]);
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  return {
    endpoint,
    clientConfig: { endpoint, region, forcePathStyle: true, credentials },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
