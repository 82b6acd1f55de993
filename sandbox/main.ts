/**
 * `npm start [-- --port N]`: runs the local index until Ctrl-C or SIGTERM, prints the pip line
 * for the demo package and writes `.sandbox/env` for the operator CLI.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { refuseStaleBuild } from "../build/stamp";
import { envFileText, SANDBOX_ENV_FILE, writeEnvFile } from "./envFile";
import type { Sandbox } from "./index";
import { startMoto } from "./moto";
import { DEFAULT_SANDBOX_PORT, resolvePort } from "./port";

const USAGE = `usage: npm start [-- --port N] [--upstream URL] [--https] [--trusted-issuer URL]

Runs a private Python package index on 127.0.0.1: the deployed edge bundle in front of S3 and
DynamoDB on moto_server (started for you unless AWS_ENDPOINT_URL is set).

  --port N         port to listen on (default: $PORT, else ${DEFAULT_SANDBOX_PORT}); 0 picks a free one
  --upstream URL   redirect project pages the tenant does not have (nor has reserved) to this
                   index, e.g. https://pypi.org/simple/ or a local one on http://127.0.0.1:<port>/…
  --https          serve HTTPS with a certificate made at start (uv's trusted publishing needs
                   it); prints the CA file to give clients as SSL_CERT_FILE / REQUESTS_CA_BUNDLE
  --trusted-issuer URL
                   the OIDC issuer trusted publishing trusts (default: GitHub Actions'), e.g. a
                   local stand-in http://127.0.0.1:<port> serving its JWKS at /.well-known/jwks
  --help           show this help`;

function removeEnvFileIfOurs(text: string): void {
  try {
    if (fs.readFileSync(SANDBOX_ENV_FILE, "utf8") === text) fs.unlinkSync(SANDBOX_ENV_FILE);
  } catch {
    // already gone
  }
}

/** Stops on the first SIGINT/SIGTERM, also during startup (once started); a second one exits at once. */
function stopOnSignals(): (sandbox: Sandbox, envText: string) => void {
  let started: { sandbox: Sandbox; envText: string } | undefined;
  let requested: NodeJS.Signals | undefined;
  const stop = () => {
    if (!started || !requested) return;
    console.log(`\n${requested}: stopping the sandbox`);
    removeEnvFileIfOurs(started.envText);
    void started.sandbox.stop().then(() => process.exit(0));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) process.exit(130);
    requested = signal;
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return (sandbox, envText) => {
    started = { sandbox, envText };
    stop();
  };
}

/** With HTTPS: the environment that makes uv, twine and pip trust the sandbox's certificate. */
function caLines(sandbox: Sandbox): string[] {
  if (!sandbox.caFile) return [];
  const ca = sandbox.caFile;
  return [
    `HTTPS with a certificate of a CA made for this run; give the clients its CA file:`,
    "",
    `  export SSL_CERT_FILE=${ca} REQUESTS_CA_BUNDLE=${ca} PIP_CERT=${ca}`,
    "",
  ];
}

/** How to publish from a (stand-in) GitHub Actions job with trusted publishing. */
function trustedPublishingLines(sandbox: Sandbox): string[] {
  const { issuer, audience } = sandbox.trustedPublishing;
  return [
    `Trusted publishing (issuer ${issuer}, audience ${audience}): add a publisher, then in the job`,
    `(GITHUB_ACTIONS=true, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN of that issuer) publish${sandbox.caFile ? "" : " (uv needs --https)"}:`,
    "",
    `  source .sandbox/env && npm run cli -- trusted-publishers add --tenant ${sandbox.demo.tenant} --repository OWNER/NAME --workflow release.yml --repository-id N --owner-id N`,
    `  uv publish --trusted-publishing always --publish-url ${sandbox.uploadUrl} dist/*`,
    "",
  ];
}

/** Single lines to paste: credentials through the clients' own environment variables. */
function twineUploadLine(sandbox: Sandbox): string {
  const { publicKey, secretKey } = sandbox.demo.publisher;
  return `TWINE_USERNAME=${publicKey} TWINE_PASSWORD=${secretKey} twine upload --repository-url ${sandbox.uploadUrl} dist/*`;
}

function uvPublishLine(sandbox: Sandbox): string {
  const { publicKey, secretKey } = sandbox.demo.publisher;
  return `UV_PUBLISH_USERNAME=${publicKey} UV_PUBLISH_PASSWORD=${secretKey} uv publish --publish-url ${sandbox.uploadUrl} dist/*`;
}

async function main(): Promise<void> {
  refuseStaleBuild(); // before any work: the modules above only define things when they load
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      upstream: { type: "string" },
      https: { type: "boolean" },
      "trusted-issuer": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = resolvePort(values.port, process.env.PORT);
  const endpointUrl = process.env.AWS_ENDPOINT_URL || undefined;
  const started = stopOnSignals();
  // moto_server boots while the sandbox's modules (Pulumi, the AWS SDK) load; startSandbox owns it.
  const moto = endpointUrl ? undefined : startMoto();
  moto?.catch(() => undefined); // startSandbox reports its failure
  let sandboxModule: typeof import("./index");
  try {
    sandboxModule = await import("./index");
  } catch (err) {
    await moto?.then((server) => server.stop()).catch(() => undefined);
    throw err;
  }
  const { startSandbox, urlWithKey } = sandboxModule;
  const sandbox = await startSandbox({
    port,
    ...(values.upstream ? { upstreamIndex: values.upstream } : {}),
    ...(values.https ? { https: true } : {}),
    ...(values["trusted-issuer"] ? { trustedIssuer: values["trusted-issuer"] } : {}),
    ...(endpointUrl ? { endpointUrl } : { moto }),
  });
  writeEnvFile(sandbox.env);
  console.log(
    [
      `python-package-index sandbox ready in ${process.uptime().toFixed(1)} s on ${sandbox.origin}` +
        ` (S3 + DynamoDB at ${sandbox.endpoint})`,
      "",
      ...caLines(sandbox),
      `Install the demo package (tenant ${sandbox.demo.tenant}) with:`,
      "",
      `  pip install --index-url ${urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey)} ${sandbox.demo.project}`,
      "",
      `Publish to it (tenant ${sandbox.demo.tenant}, its publish key) with twine or uv:`,
      "",
      `  ${twineUploadLine(sandbox)}`,
      `  ${uvPublishLine(sandbox)}`,
      "",
      ...trustedPublishingLines(sandbox),
      "Operator CLI against this sandbox:",
      "",
      `  source .sandbox/env && npm run cli -- list --tenant ${sandbox.demo.tenant}`,
      "",
      "Ctrl-C stops it. Requests:",
    ].join("\n"),
  );
  started(sandbox, envFileText(sandbox.env));
}

main().catch((err: unknown) => {
  console.error(`sandbox: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
