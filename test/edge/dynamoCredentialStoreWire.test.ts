/**
 * The DynamoDB adapter on the wire, against a scripted stand-in for DynamoDB on loopback: the exact
 * request it sends (verified with the AWS SDK's own signer), and every way a lookup can fail —
 * each a rejection that the handler turns into a 503, retried only when a retry can help.
 */
import * as http from "http";
import { expect } from "chai";
import {
  LOOKUP_MAX_ATTEMPTS,
  LookupError,
  createDynamoCredentialStore,
} from "../../edge/dynamoCredentialStore";
import { StoredCredential } from "../../edge/credentialLookup";
import { credentialToItem } from "../../domain/credentialRecords";
import { createViewerRequestHandler } from "../../edge/handler";
import { claimProcessEnv } from "../../sandbox/processEnv";
import { generated, viewerRequestEvent } from "../../fixtures/cloudfrontEvents";
import { freePort } from "../../sandbox/moto";
import { sdkSignedHeaders } from "./sdkSigner";
import { TEST_HANDLER_CONFIG, makeKey } from "../../fixtures/edgeKeys";

const TABLE = "ppi-test-credentials";
const ACCESS_KEY_ID = "ASIATESTACCESSKEY001";
const SECRET_ACCESS_KEY = "wire-test-secret-access-key/0123456789abc";
const SESSION_TOKEN = "wire-test-session-token";
const HOME = { tableRegion: "us-east-1", replicaRegions: ["eu-west-1"] };

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}
/** What the stand-in answers: a status and body, or nothing at all (the request hangs). */
type Answer = { readonly status: number; readonly body: string } | "hang";

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
const dynamoError = (status: number, type: string): Answer =>
  json(status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `scripted ${type}` });

/** Answers the n-th request with answers[n], repeating the last one. */
class ScriptedDynamo {
  readonly received: Received[] = [];
  private answers: readonly Answer[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = this.answers[Math.min(this.received.length, this.answers.length) - 1];
      if (answer === "hang") return;
      response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
      response.end(answer.body);
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  script(...answers: Answer[]): void {
    this.answers = answers;
    this.received.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function rejection(promise: Promise<unknown>): Promise<LookupError> {
  return promise.then(
    () => {
      throw new Error("expected the lookup to fail");
    },
    (error: LookupError) => error,
  );
}

describe("DynamoDB credential store on the wire (scripted DynamoDB on loopback)", () => {
  const dynamo = new ScriptedDynamo();
  const key = makeKey({ channels: ["main"], description: "wire" });
  const found = json(200, { Item: credentialToItem(key.record) });
  let endpoint: string;
  let restoreEnv: () => void;

  before(async () => {
    endpoint = await dynamo.listen();
    restoreEnv = claimProcessEnv({
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9/not-this-one",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
    });
  });
  after(async () => {
    restoreEnv?.();
    await dynamo.close();
  });

  it("asks for a strongly consistent read when told to (the upload function), and only then", async () => {
    for (const [options, expected] of [
      [
        { consistentRead: true },
        { TableName: TABLE, Key: { publicKey: { S: key.publicKey } }, ConsistentRead: true },
      ],
      [{ consistentRead: false }, { TableName: TABLE, Key: { publicKey: { S: key.publicKey } } }],
      [{}, { TableName: TABLE, Key: { publicKey: { S: key.publicKey } } }],
    ] as const) {
      dynamo.script(found);
      const store = createDynamoCredentialStore(TABLE, HOME, options);
      expect(await store.get(key.publicKey)).to.deep.equal(key.record);
      expect(dynamo.received.map((r) => JSON.parse(r.body))).to.deep.equal([expected]);
    }
  });

  it("sends one GetItem POST, signed exactly as the AWS SDK signs it, and reads the item", async () => {
    dynamo.script(found);
    const store = createDynamoCredentialStore(TABLE, HOME);
    expect(await store.get(key.publicKey)).to.deep.equal(key.record);
    expect(dynamo.received).to.have.length(1);
    const { headers, body } = dynamo.received[0];
    expect(JSON.parse(body)).to.deep.equal({ TableName: TABLE, Key: { publicKey: { S: key.publicKey } } });
    expect(headers["content-type"]).to.equal("application/x-amz-json-1.0");
    expect(headers["x-amz-target"]).to.equal("DynamoDB_20120810.GetItem");
    expect(headers["x-amz-security-token"]).to.equal(SESSION_TOKEN);
    expect(headers.authorization).to.match(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/us-east-1/dynamodb/aws4_request, ` +
          "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target, " +
          "Signature=[0-9a-f]{64}$",
      ),
    );
    const date = new Date(
      String(headers["x-amz-date"]).replace(
        /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
        "$1-$2-$3T$4:$5:$6Z",
      ),
    );
    const reference = await sdkSignedHeaders(
      {
        host: String(headers.host),
        headers: {
          "content-length": String(headers["content-length"]),
          "content-type": String(headers["content-type"]),
          "x-amz-target": String(headers["x-amz-target"]),
        },
        body,
      },
      { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN },
      { region: "us-east-1", service: "dynamodb" },
      date,
    );
    expect(headers.authorization).to.equal(reference.authorization);
  });

  it("signs for the replica region when running in one", async () => {
    dynamo.script(found);
    process.env.AWS_REGION = "eu-west-1";
    try {
      await createDynamoCredentialStore(TABLE, HOME).get(key.publicKey);
    } finally {
      process.env.AWS_REGION = "us-east-1";
    }
    expect(dynamo.received[0].headers.authorization).to.include("/eu-west-1/dynamodb/aws4_request");
  });

  const absent: [string, Answer, StoredCredential][] = [
    ["no item", json(200, {}), null],
    [
      "an item that is not a well-formed record",
      json(200, { Item: { publicKey: { S: key.publicKey } } }),
      "corrupt",
    ],
    ["another key's record", json(200, { Item: credentialToItem(makeKey().record) }), "corrupt"],
    [
      "a record with an unknown scheme",
      json(200, { Item: { ...credentialToItem(key.record), scheme: { S: "md5" } } }),
      "corrupt",
    ],
    [
      "a record with an unknown scope",
      json(200, { Item: { ...credentialToItem(key.record), scope: { S: "admin" } } }),
      "corrupt",
    ],
    [
      "a record whose scope is not a string",
      json(200, { Item: { ...credentialToItem(key.record), scope: { SS: ["publish"] } } }),
      "corrupt",
    ],
    [
      "a record whose projects are a string",
      json(200, { Item: { ...credentialToItem(key.record), projects: { S: "demo" } } }),
      "corrupt",
    ],
    [
      "a record with a project that is not normalized",
      json(200, { Item: { ...credentialToItem(key.record), projects: { SS: ["Demo_Pkg"] } } }),
      "corrupt",
    ],
  ];
  for (const [what, answer, expected] of absent) {
    it(`answers ${expected} for ${what}`, async () => {
      dynamo.script(answer);
      expect(await createDynamoCredentialStore(TABLE, HOME).get(key.publicKey)).to.equal(expected);
    });
  }

  const recovered: [string, Answer][] = [
    ["a 500", dynamoError(500, "InternalServerError")],
    ["throttling", dynamoError(400, "ThrottlingException")],
    ["exceeded throughput", dynamoError(400, "ProvisionedThroughputExceededException")],
  ];
  for (const [what, first] of recovered) {
    it(`retries after ${what} and reads the item`, async () => {
      dynamo.script(first, found);
      expect(await createDynamoCredentialStore(TABLE, HOME).get(key.publicKey)).to.deep.equal(key.record);
      expect(dynamo.received).to.have.length(2);
    });
  }

  const failures: [string, Answer, string, number][] = [
    ["a missing table", dynamoError(400, "ResourceNotFoundException"), "ResourceNotFoundException", 1],
    ["a refused request", dynamoError(400, "AccessDeniedException"), "AccessDeniedException", 1],
    ["a bad signature", dynamoError(400, "InvalidSignatureException"), "InvalidSignatureException", 1],
    [
      "500 on every attempt",
      dynamoError(500, "InternalServerError"),
      "InternalServerError",
      LOOKUP_MAX_ATTEMPTS,
    ],
    [
      "throttling on every attempt",
      dynamoError(400, "ThrottlingException"),
      "ThrottlingException",
      LOOKUP_MAX_ATTEMPTS,
    ],
    ["a 503 without JSON", { status: 503, body: "<html>busy</html>" }, "HttpError503", LOOKUP_MAX_ATTEMPTS],
    ["a 403 without JSON", { status: 403, body: "" }, "HttpError403", 1],
    ["a 200 without JSON", { status: 200, body: "not json" }, "InvalidResponse", 1],
    ["no answer within the timeout", "hang", "TimeoutError", LOOKUP_MAX_ATTEMPTS],
  ];
  for (const [what, answer, name, attempts] of failures) {
    it(`fails with ${name} after ${attempts} attempt(s) on ${what}, never naming a secret`, async () => {
      dynamo.script(answer);
      const error = await rejection(createDynamoCredentialStore(TABLE, HOME).get(key.publicKey));
      expect(error.name).to.equal(name);
      expect(dynamo.received).to.have.length(attempts);
      for (const secret of [SECRET_ACCESS_KEY, SESSION_TOKEN]) expect(error.message).not.to.include(secret);
    });
  }

  it("fails with NetworkError after retrying when nothing listens", async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${await freePort()}`;
    try {
      const error = await rejection(createDynamoCredentialStore(TABLE, HOME).get(key.publicKey));
      expect(error).to.include({ name: "NetworkError", message: "ECONNREFUSED", retryable: true });
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    }
  });

  it("fails with CredentialsError, sending nothing, when the environment has no credentials", async () => {
    dynamo.script(found);
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const error = await rejection(createDynamoCredentialStore(TABLE, HOME).get(key.publicKey));
      expect(error.name).to.equal("CredentialsError");
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = SECRET_ACCESS_KEY;
    }
    expect(dynamo.received).to.have.length(0);
  });

  describe("through the handler", () => {
    const originalLog = console.log;
    let logged: string[];
    beforeEach(() => {
      logged = [];
      console.log = (line: string) => logged.push(line);
    });
    afterEach(() => {
      console.log = originalLog;
    });

    const outages: [string, Answer, string][] = [
      ["DynamoDB failing", dynamoError(500, "InternalServerError"), "InternalServerError"],
      ["DynamoDB refusing the role", dynamoError(400, "AccessDeniedException"), "AccessDeniedException"],
    ];
    for (const [what, answer, detail] of outages) {
      it(`answers 503 (fail closed) with ${what}, and logs ${detail}`, async () => {
        dynamo.script(answer);
        const handler = createViewerRequestHandler({ ...TEST_HANDLER_CONFIG, tableName: TABLE });
        const event = viewerRequestEvent({ uri: "/simple/", headers: { Authorization: key.authorization } });
        expect(generated(await handler(event)).status).to.equal("503");
        expect(logged).to.have.length(1);
        expect(JSON.parse(logged[0])).to.include({ reason: "lookup-failed", status: 503, detail });
      });
    }
  });
});
