/**
 * `npm start` as a newcomer runs it — the compiled sandbox and CLI in dist/ that `npm ci` builds —:
 * the printed pip line works as pasted, `.sandbox/env` points the operator CLI at the sandbox, SIGTERM stops everything it started, and the failures a
 * newcomer can hit (no tools environment, a busy port) end with a message that says what to do.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { homeEnv, isolatedEnv, PIP_ISOLATION_FLAGS, run } from "../../fixtures/pythonClients";
import { buildWheel } from "../../publishing/wheelBuilder";
import { PYTHON_TOOLS_COMMAND, pythonTool } from "../../sandbox/pythonTools";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { addTrustedPublisher } from "../../publishing/trustedPublishers";
import { githubJobClaims, startGithubTokenService } from "../../fixtures/githubOidc";
import { compiled } from "../support/compiled";

const ROOT = path.resolve(__dirname, "..", "..");

interface Started {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  readonly stdout: () => string;
}

function startMain(args: readonly string[], env: Record<string, string | undefined>): Started {
  const child = spawn(process.execPath, [compiled("sandbox/main.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_ENDPOINT_URL: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stderr })),
  );
  return { child, exited, stdout: () => stdout };
}

async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = pattern.exec(started.stdout());
    if (match) return match;
    if (started.child.exitCode !== null)
      throw new Error(`npm start exited: ${(await started.exited).stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("npm start (dist/sandbox/main.js) @integration", function () {
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-sandbox-main-"));
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("prints a pip line that installs the demo package as pasted, writes .sandbox/env, and stops on SIGTERM", async () => {
    const python = pythonTool("python");
    const envFile = path.join(work, "env");
    const started = startMain([], { PORT: "0", PPI_SANDBOX_ENV_FILE: envFile });
    try {
      const [, motoEndpoint] = await waitFor(started, /S3 \+ DynamoDB at (http:\/\/127\.0\.0\.1:\d+)/);
      const [line] = await waitFor(started, /pip install --index-url http:\/\/\S+ \S+/);
      const [, ...pipArgs] = line.split(" ");
      const target = path.join(work, "target");
      const install = await run(python, [
        "-m",
        "pip",
        ...pipArgs,
        ...PIP_ISOLATION_FLAGS,
        "--target",
        target,
      ]);
      expect(install.code, install.stderr).to.equal(0);
      expect(fs.readdirSync(target)).to.include("ppi_demo_hello-1.1.0.dist-info");

      const exported = await run("sh", ["-c", `. '${envFile}' && env`]);
      const variables = Object.fromEntries(
        exported.stdout.split("\n").map((l) => [l.split("=")[0], l.slice(l.indexOf("=") + 1)]),
      );
      expect(variables).to.include({
        AWS_ENDPOINT_URL: motoEndpoint,
        AWS_REGION: "us-east-1",
        PACKAGE_INDEX_BUCKET: "ppi-sandbox-index",
        PACKAGE_INDEX_TABLE: "ppi-sandbox-credentials",
        PACKAGE_INDEX_URL: `${new URL(line.split(" ")[3]).origin}/simple/`,
      });
      const list = await run(process.execPath, [compiled("cli/main.js"), "list", "--tenant", "demo"], {
        env: isolatedEnv({ ...variables, PATH: process.env.PATH ?? "" }),
      });
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain("ppi-demo-hello");

      started.child.kill("SIGTERM");
      expect((await started.exited).code).to.equal(0);
      expect(fs.existsSync(envFile), ".sandbox/env removed").to.equal(false);
      const motoAfter = await fetch(`${motoEndpoint}/moto-api/`).then(
        () => "answering",
        () => "stopped",
      );
      expect(motoAfter).to.equal("stopped");
    } finally {
      started.child.kill("SIGKILL");
    }
  });

  it("with --https and --trusted-issuer prints the CA to trust and a uv trusted-publishing line that publishes as pasted", async () => {
    const service = await startGithubTokenService();
    const started = startMain(["--https", "--trusted-issuer", service.issuer], {
      PORT: "0",
      PPI_SANDBOX_ENV_FILE: path.join(work, "env-https"),
    });
    try {
      const [, motoEndpoint] = await waitFor(started, /S3 \+ DynamoDB at (http:\/\/127\.0\.0\.1:\d+)/);
      const [, ca] = await waitFor(started, /export SSL_CERT_FILE=(\S+) REQUESTS_CA_BUNDLE=\1 PIP_CERT=\1$/m);
      const [, issuer, audience] = await waitFor(
        started,
        /Trusted publishing \(issuer (\S+), audience (\S+)\)/,
      );
      expect(issuer).to.equal(service.issuer);
      const [uvLine, publishUrl] = await waitFor(
        started,
        /^ *uv publish --trusted-publishing always --publish-url (\S+) dist\/\*$/m,
      );
      expect(new URL(publishUrl).host).to.equal(audience);
      const dynamodb = new DynamoDBClient({
        endpoint: motoEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
      const job = {
        repository: "acme/pasted",
        repositoryId: "41",
        repositoryOwnerId: "42",
        workflow: "release.yml",
      };
      await addTrustedPublisher({ dynamodb, table: "ppi-sandbox-credentials" }, { tenant: "demo", ...job });
      dynamodb.destroy();
      service.issue(githubJobClaims(job));
      const project = fs.mkdtempSync(path.join(work, "project-"));
      const wheel = buildWheel({ name: "ppi-pasted-tp", version: "1.0.0" });
      fs.mkdirSync(path.join(project, "dist"));
      fs.writeFileSync(path.join(project, "dist", wheel.filename), wheel.bytes);
      const tools = path.dirname(pythonTool("uv"));
      const pasted = await run("sh", ["-c", uvLine.trim()], {
        cwd: project,
        env: isolatedEnv({
          ...homeEnv(project),
          ...service.jobEnv,
          SSL_CERT_FILE: ca,
          PATH: `${tools}:${process.env.PATH ?? ""}`,
        }),
      });
      expect(pasted.code, `${uvLine}\n${pasted.stdout}\n${pasted.stderr}`).to.equal(0);
      expect(service.requestedAudiences).to.deep.equal([audience]);
      started.child.kill("SIGTERM");
      expect((await started.exited).code).to.equal(0);
      expect(fs.existsSync(ca), "the CA file is removed on stop").to.equal(false);
    } finally {
      started.child.kill("SIGKILL");
      await service.stop();
    }
  });

  it("prints twine upload and uv publish lines that publish dist/* as pasted into a shell", async () => {
    const started = startMain([], { PORT: "0", PPI_SANDBOX_ENV_FILE: path.join(work, "env-publish") });
    try {
      const [twineLine] = await waitFor(
        started,
        /^ *TWINE_USERNAME=\S+ TWINE_PASSWORD=\S+ twine upload .*$/m,
      );
      const [uvLine] = await waitFor(
        started,
        /^ *UV_PUBLISH_USERNAME=\S+ UV_PUBLISH_PASSWORD=\S+ uv publish .*$/m,
      );
      const tools = path.dirname(pythonTool("twine"));
      for (const [line, version] of [
        [twineLine, "1.0.0"],
        [uvLine, "2.0.0"],
      ]) {
        const project = fs.mkdtempSync(path.join(work, "project-"));
        const wheel = buildWheel({ name: "ppi-pasted", version });
        fs.mkdirSync(path.join(project, "dist"));
        fs.writeFileSync(path.join(project, "dist", wheel.filename), wheel.bytes);
        const pasted = await run("sh", ["-c", line.trim()], {
          cwd: project,
          env: isolatedEnv({ ...homeEnv(project), PATH: `${tools}:${process.env.PATH ?? ""}` }),
        });
        expect(pasted.code, `${line}\n${pasted.stdout}\n${pasted.stderr}`).to.equal(0);
      }
      const [pipLine] = await waitFor(started, /pip install --index-url http:\/\/\S+ \S+/);
      const indexUrl = pipLine.split(" ")[3];
      const target = path.join(work, "pasted-target");
      const install = await run(pythonTool("python"), [
        "-m",
        "pip",
        "install",
        "--index-url",
        indexUrl,
        ...PIP_ISOLATION_FLAGS,
        "--target",
        target,
        "ppi-pasted",
      ]);
      expect(install.code, install.stderr).to.equal(0);
      expect(fs.readdirSync(target)).to.include("ppi_pasted-2.0.0.dist-info");
      started.child.kill("SIGTERM"); // stops its moto_server too
      expect((await started.exited).code).to.equal(0);
    } finally {
      started.child.kill("SIGKILL");
    }
  });

  it("stops with the command that creates the tools environment when it is missing", async () => {
    const missing = path.join(work, "no-venv");
    const started = startMain(["--port", "0"], { PPI_PYTHON_TOOLS_DIR: missing });
    const { code, stderr } = await started.exited;
    expect(code).to.equal(1);
    expect(stderr.trim()).to.equal(
      `sandbox: the Python tools environment ${missing} does not exist; create it with: ${PYTHON_TOOLS_COMMAND} (npm ci does it too; needs python3 >= 3.11)`,
    );
  });
});
