import { expect } from "chai";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { credentialsTableRegion, createDynamoCredentialStore } from "../../edge/dynamoCredentialStore";
import { CredentialsOnMoto, startCredentialsOnMoto } from "./motoCredentials";
import { makeKey } from "./fixtures";

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

  it("answers null for an item that is not a well-formed record", async () => {
    const broken = makeKey();
    await aws.put({ ...broken.record, scheme: "md5" });
    const store = createDynamoCredentialStore(TABLE, { tableRegion: "us-east-1", replicaRegions: [] });
    expect(await store.get(broken.publicKey)).to.equal(null);
    await aws.client.send(
      new DeleteItemCommand({ TableName: TABLE, Key: { publicKey: { S: broken.publicKey } } }),
    );
  });

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
