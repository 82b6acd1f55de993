import * as net from "net";
import { expect } from "chai";
import { startSandbox } from "../../sandbox";
import { MotoServer, startMoto } from "../../sandbox/moto";
import { basicAuthorization, JSON_TYPE, JsonProjectPage, PIP_ACCEPT } from "../e2e/support/pages";

describe("startSandbox @integration", function () {
  let moto: MotoServer;
  const SENTINEL = "http://sentinel.invalid";
  let previousEndpoint: string | undefined;

  before(async () => {
    moto = await startMoto();
    previousEndpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = SENTINEL;
  });

  after(async () => {
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = previousEndpoint;
    await moto?.stop();
  });

  it("authenticates through the bundle's own DynamoDB client (AWS_ENDPOINT_URL), one sandbox per process, env restored", async () => {
    const sandbox = await startSandbox({ port: 0, quiet: true, endpointUrl: moto.endpoint });
    try {
      expect(process.env.AWS_ENDPOINT_URL).to.equal(moto.endpoint);
      // The key exists only in moto's table: a 200 proves the bundle's lookup reached it.
      const response = await fetch(sandbox.url, {
        headers: { Authorization: basicAuthorization(sandbox.publicKey, sandbox.secretKey) },
      });
      expect(response.status).to.equal(200);
      expect(sandbox.env).to.deep.equal({
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: sandbox.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: sandbox.env.AWS_SECRET_ACCESS_KEY,
        PACKAGE_INDEX_BUCKET: "ppi-sandbox-index",
        PACKAGE_INDEX_TABLE: "ppi-sandbox-credentials",
        PACKAGE_INDEX_URL: `http://127.0.0.1:${sandbox.port}/simple/`,
      });
      let second: unknown;
      await startSandbox({ port: 0, quiet: true, endpointUrl: moto.endpoint }).catch((err) => (second = err));
      expect(String(second)).to.contain("a sandbox is already running in this process");
    } finally {
      await sandbox.stop();
    }
    expect(process.env.AWS_ENDPOINT_URL).to.equal(SENTINEL);
  });

  it("says which port is busy and how to choose another", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      let failure: unknown;
      await startSandbox({ port, quiet: true, endpointUrl: moto.endpoint }).catch((err) => (failure = err));
      expect(String(failure)).to.contain(
        `port ${port} on 127.0.0.1 is in use; choose another with --port N or PORT=N`,
      );
      expect(process.env.AWS_ENDPOINT_URL).to.equal(SENTINEL);
    } finally {
      busy.close();
    }
  });

  it("reuses an endpoint that already holds the bucket, table and demo: re-seeding is a no-op", async () => {
    const sandbox = await startSandbox({ port: 0, quiet: true, endpointUrl: moto.endpoint });
    try {
      const response = await fetch(`${sandbox.url}${sandbox.demo.project}/`, {
        headers: {
          Authorization: basicAuthorization(sandbox.publicKey, sandbox.secretKey),
          Accept: PIP_ACCEPT,
        },
      });
      expect(response.headers.get("content-type")).to.equal(JSON_TYPE);
      const page = (await response.json()) as JsonProjectPage;
      expect(page.versions).to.deep.equal(["1.0.0", "1.1.0"]);
    } finally {
      await sandbox.stop();
    }
  });

  it("refuses a port that is not one, naming the allowed range", async () => {
    for (const port of [-1, 65536, 1.5]) {
      let failure: unknown;
      await startSandbox({ port, quiet: true, endpointUrl: moto.endpoint }).catch((err) => (failure = err));
      expect(String(failure)).to.contain(`sandbox port ${port} is not a TCP port`);
    }
  });
});
