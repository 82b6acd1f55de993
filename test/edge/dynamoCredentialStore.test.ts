import { expect } from "chai";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { CredentialItem, credentialToItem } from "../../domain/credentialRecords";
import { CORRUPT_RECORD } from "../../edge/credentialLookup";
import {
  credentialsFromEnvironment,
  credentialsTableRegion,
  createDynamoCredentialStore,
  dynamoEndpoint,
} from "../../edge/dynamoCredentialStore";
import { CredentialsOnMoto, startCredentialsOnMoto } from "../../fixtures/credentialsOnMoto";
import { makeKey } from "../../fixtures/edgeKeys";

describe("credentialsTableRegion", () => {
  const location = { tableRegion: "us-east-1", replicaRegions: ["eu-west-1", "ap-northeast-1"] };
  const cases: [string | undefined, string][] = [
    ["eu-west-1", "eu-west-1"],
    ["ap-northeast-1", "ap-northeast-1"],
    ["us-east-1", "us-east-1"],
    ["sa-east-1", "us-east-1"],
    [undefined, "us-east-1"],
  ];
  for (const [running, expected] of cases) {
    it(`running in ${running ?? "an unknown region"} reads ${expected}`, () => {
      expect(credentialsTableRegion(location, running)).to.equal(expected);
    });
  }
});

describe("dynamoEndpoint", () => {
  const cases: [Record<string, string>, string][] = [
    [{}, "https://dynamodb.eu-west-1.amazonaws.com/"],
    [{ AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }, "http://127.0.0.1:5000/"],
    [
      { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_DYNAMODB: "http://localhost:8000/" },
      "http://localhost:8000/",
    ],
    [{ AWS_ENDPOINT_URL: "" }, "https://dynamodb.eu-west-1.amazonaws.com/"],
  ];
  for (const [env, expected] of cases) {
    it(`${JSON.stringify(env)} → ${expected}`, () => {
      expect(dynamoEndpoint("eu-west-1", env).href).to.equal(expected);
    });
  }

  for (const url of ["ftp://127.0.0.1:5000", "http://127.0.0.1:5000/prefix", "https://example.com/?a=b"]) {
    it(`refuses ${url}, naming it`, () => {
      expect(() => dynamoEndpoint("us-east-1", { AWS_ENDPOINT_URL: url })).to.throw(
        `the DynamoDB endpoint "${url}" must be http(s)://host[:port] without a path or query`,
      );
    });
  }
});

describe("credentialsFromEnvironment", () => {
  it("reads the Lambda role's temporary credentials", () => {
    expect(
      credentialsFromEnvironment({
        AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_SESSION_TOKEN: "token",
      }),
    ).to.deep.equal({ accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token" });
  });

  it("reads long-term credentials without a token", () => {
    expect(
      credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" }),
    ).to.deep.equal({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" });
  });

  const missing: Record<string, string>[] = [
    {},
    { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE" },
    { AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" },
    { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "secret" },
  ];
  for (const env of missing) {
    it(`fails with CredentialsError for ${JSON.stringify(env)}`, () => {
      expect(() => credentialsFromEnvironment(env))
        .to.throw("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        .with.property("name", "CredentialsError");
    });
  }
});

describe("DynamoDB credential store against moto_server @integration", () => {
  const TABLE = "ppi-test-credentials";
  const key = makeKey({ channels: ["main", "dev-1"], expiresAt: 2_000_000_000, description: "ci" });
  let aws: CredentialsOnMoto;

  before(async () => {
    aws = await startCredentialsOnMoto(TABLE, [key.record]);
  });
  after(async () => aws?.stop());

  it("reads a stored record back exactly", async () => {
    const store = createDynamoCredentialStore(TABLE, { tableRegion: "us-east-1", replicaRegions: [] });
    expect(await store.get(key.publicKey)).to.deep.equal(key.record);
  });

  it("answers null for a key that is not in the table", async () => {
    const store = createDynamoCredentialStore(TABLE, { tableRegion: "us-east-1", replicaRegions: [] });
    expect(await store.get(makeKey().publicKey)).to.equal(null);
  });

  const malformed: [string, (item: CredentialItem) => Record<string, unknown>][] = [
    ["an unknown hash scheme", (item) => ({ ...item, scheme: { S: "md5" } })],
    ["channels stored as a list", (item) => ({ ...item, channels: { L: [{ S: "feature-x" }] } })],
    ["channels stored as a string", (item) => ({ ...item, channels: { S: "feature-x" } })],
    ["a channel that is not a valid name", (item) => ({ ...item, channels: { SS: ["feature-x", "../x"] } })],
    ["a tenant that is not a valid name", (item) => ({ ...item, tenant: { S: "../etc" } })],
    ["an unknown scope", (item) => ({ ...item, scope: { S: "admin" } })],
    ["projects stored as a list", (item) => ({ ...item, projects: { L: [{ S: "demo" }] } })],
    ["a project that is not normalized", (item) => ({ ...item, projects: { SS: ["demo", "Other_Lib"] } })],
  ];
  for (const [what, corrupt] of malformed) {
    it(`answers CORRUPT_RECORD (not null: the item exists) for an item that is not a well-formed record: ${what}`, async () => {
      const broken = makeKey({ channels: ["feature-x"] });
      await aws.putItem(corrupt(credentialToItem(broken.record)));
      const store = createDynamoCredentialStore(TABLE, { tableRegion: "us-east-1", replicaRegions: [] });
      expect(await store.get(broken.publicKey)).to.equal(CORRUPT_RECORD);
      await aws.client.send(
        new DeleteItemCommand({ TableName: TABLE, Key: { publicKey: { S: broken.publicKey } } }),
      );
    });
  }

  it("rejects when the table does not exist (the handler turns that into a 503)", async () => {
    const store = createDynamoCredentialStore("ppi-test-missing", {
      tableRegion: "us-east-1",
      replicaRegions: [],
    });
    const error = await store.get(key.publicKey).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.equal("ResourceNotFoundException");
  });
});
