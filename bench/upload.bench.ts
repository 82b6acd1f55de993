/**
 * `npm run bench -- upload`: publishing one file into the sandbox, per tool, interleaved run by
 * run, medians with min–max of whole processes: `twine upload` and `uv publish` through `/legacy/`
 * (the sandbox's CloudFront, the edge bundle, the upload handler), `ppi publish` (the compiled
 * CLI, straight to the bucket), each given a wheel of the same size and a version of its own;
 * and the server's own time for one upload (an in-process POST of the same form twine sends).
 * Two sizes: a small wheel and one near the endpoint's body limit.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UPLOAD_BODY_LIMIT_BYTES } from "../domain/upload";
import { buildWheel } from "../publishing/wheelBuilder";
import { startSandbox } from "../sandbox";
import { pythonTool } from "../sandbox/pythonTools";
import { basicAuthorization } from "../fixtures/cloudfrontEvents";
import { multipartBody, TEST_BOUNDARY, twineParts } from "../fixtures/uploadForms";
import { isolatedEnv } from "../fixtures/pythonClients";
import { runProcess, summary } from "./measure";

const RUNS = 7;
const PROJECT = "ppi-upload-bench";
const CLI = path.join(__dirname, "..", "dist", "cli", "main.js");
/** Incompressible payloads: the wheel's size is about its payload's. */
const SIZES = { "1 KiB": 1024, "900 KiB": UPLOAD_BODY_LIMIT_BYTES - 124 * 1024 };

export async function run(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``);
  const sandbox = await startSandbox({ port: 0, quiet: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-upload-bench-"));
  try {
    const { publicKey, secretKey } = sandbox.demo.publisher;
    let versions = 0;
    const wheelFile = (payload: number) => {
      const built = buildWheel({
        name: PROJECT,
        version: `1.${++versions}`,
        files: { "ppi_upload_bench/blob.bin": crypto.randomBytes(payload) },
      });
      const file = path.join(work, String(versions), built.filename);
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, built.bytes);
      return { file, built };
    };
    const home = path.join(work, "home");
    fs.mkdirSync(home);
    const clientEnv = isolatedEnv({ HOME: home });
    const tools: Record<string, (payload: number) => Promise<number>> = {
      "twine upload (process)": (payload) =>
        runProcess(
          pythonTool("twine"),
          [
            "upload",
            "--disable-progress-bar",
            "--repository-url",
            sandbox.uploadUrl,
            wheelFile(payload).file,
          ],
          { ...clientEnv, TWINE_USERNAME: publicKey, TWINE_PASSWORD: secretKey },
        ),
      "uv publish (process)": (payload) =>
        runProcess(
          pythonTool("uv"),
          ["publish", "--publish-url", sandbox.uploadUrl, wheelFile(payload).file],
          {
            ...clientEnv,
            UV_PUBLISH_USERNAME: publicKey,
            UV_PUBLISH_PASSWORD: secretKey,
            UV_CACHE_DIR: path.join(work, "uv-cache"),
          },
        ),
      "ppi publish (process, straight to S3)": (payload) =>
        runProcess(
          process.execPath,
          [CLI, "publish", "--tenant", sandbox.demo.tenant, wheelFile(payload).file],
          {
            ...sandbox.env,
          },
        ),
      "POST /legacy/ in-process (server time)": async (payload) => {
        const { built } = wheelFile(payload);
        const body = multipartBody(twineParts(built));
        const started = performance.now();
        const response = await fetch(sandbox.uploadUrl, {
          method: "POST",
          headers: {
            Authorization: basicAuthorization(publicKey, secretKey),
            "Content-Type": `multipart/form-data; boundary=${TEST_BOUNDARY}`,
          },
          body,
        });
        await response.text();
        if (response.status !== 200) throw new Error(`POST /legacy/ answered ${response.status}`);
        return performance.now() - started;
      },
    };
    // The project exists before the first sample of any tool.
    await tools["ppi publish (process, straight to S3)"](1);
    for (const [sizeName, payload] of Object.entries(SIZES)) {
      const samples: Record<string, number[]> = {};
      for (let n = 0; n < RUNS; n++) {
        for (const [name, publishOne] of Object.entries(tools))
          (samples[name] ??= []).push(await publishOne(payload));
      }
      console.log(
        `\none new version, wheel of about ${sizeName}: ${RUNS} interleaved runs, median (min–max), ${os.cpus().length} cores`,
      );
      for (const [name, ms] of Object.entries(samples))
        console.log(`  ${name.padEnd(40)} ${summary(ms, "ms")}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await sandbox.stop();
  }
}
