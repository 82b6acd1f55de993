import { expect } from "chai";
import { CredentialsTable, CredentialsTableArgs } from "../../components/credentialsTable";
import { ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";

async function build(
  args: CredentialsTableArgs,
): Promise<{ recorder: ResourceRecorder; table: CredentialsTable }> {
  const recorder = setupMocks();
  const table = new CredentialsTable("credentials", args);
  await Promise.all(table.arns.map((arn) => valueOf(arn)));
  await settle();
  return { recorder, table };
}

const KEY_SCHEMA = {
  region: "us-east-1",
  name: "ppi-test-credentials",
  billingMode: "PAY_PER_REQUEST",
  hashKey: "publicKey",
  attributes: [
    { name: "publicKey", type: "S" },
    { name: "tenant", type: "S" },
  ],
  globalSecondaryIndexes: [
    { name: "tenant", keySchemas: [{ attributeName: "tenant", keyType: "HASH" }], projectionType: "ALL" },
  ],
  pointInTimeRecovery: { enabled: true },
  serverSideEncryption: { enabled: true },
};

describe("CredentialsTable", () => {
  it("creates an on-demand, recoverable, encrypted table in us-east-1 without replicas by default", async () => {
    const { recorder, table } = await build({ namePrefix: "ppi-test" });
    expect(recorder.countByType()).to.deep.equal({ "aws:dynamodb/table:Table": 1 });
    const resource = recorder.one("aws:dynamodb/table:Table");
    expect(resource.inputs).to.deep.equal({ ...KEY_SCHEMA, deletionProtectionEnabled: false });
    expect(resource.protect).to.equal(false);
    expect(table.tableName).to.equal("ppi-test-credentials");
    expect(table.region).to.equal("us-east-1");
    expect(await Promise.all(table.arns.map((arn) => valueOf(arn)))).to.deep.equal([
      "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-test-credentials",
    ]);
  });

  it("when protected, turns on deletion protection and Pulumi protect", async () => {
    const { recorder } = await build({ namePrefix: "ppi-test", protect: true });
    const resource = recorder.one("aws:dynamodb/table:Table");
    expect(resource.inputs.deletionProtectionEnabled).to.equal(true);
    expect(resource.protect).to.equal(true);
  });

  it("replicates to each configured region over the table's stream, with one ARN per replica", async () => {
    const { recorder, table } = await build({
      namePrefix: "ppi-test",
      replicaRegions: ["eu-west-1", "ap-southeast-2"],
      protect: true,
    });
    expect(recorder.one("aws:dynamodb/table:Table").inputs).to.deep.equal({
      ...KEY_SCHEMA,
      deletionProtectionEnabled: true,
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      replicas: ["eu-west-1", "ap-southeast-2"].map((regionName) => ({
        regionName,
        pointInTimeRecovery: true,
        deletionProtectionEnabled: true,
        propagateTags: true,
      })),
    });
    expect(table.replicaRegions).to.deep.equal(["eu-west-1", "ap-southeast-2"]);
    expect(await Promise.all(table.arns.map((arn) => valueOf(arn)))).to.deep.equal([
      "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-test-credentials",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/ppi-test-credentials",
      "arn:aws:dynamodb:ap-southeast-2:123456789012:table/ppi-test-credentials",
    ]);
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, CredentialsTableArgs, string][] = [
      [
        "a replica in the table's own region",
        { namePrefix: "ppi-test", replicaRegions: ["us-east-1"] },
        'CredentialsTable credentials: replica region "us-east-1" must be an AWS region name other than us-east-1, where the table itself lives.',
      ],
      [
        "a replica region that is no region",
        { namePrefix: "ppi-test", replicaRegions: ["Europe"] },
        'CredentialsTable credentials: replica region "Europe" must be an AWS region name other than us-east-1, where the table itself lives.',
      ],
      [
        "a replica region listed twice",
        { namePrefix: "ppi-test", replicaRegions: ["eu-west-1", "eu-west-1"] },
        'CredentialsTable credentials: replicaRegions ["eu-west-1","eu-west-1"] lists a region twice.',
      ],
      [
        "an invalid name prefix",
        { namePrefix: "ppi test" },
        'CredentialsTable credentials: namePrefix "ppi test" must be 1-28 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. "ppi-dev").',
      ],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, async () => {
        const recorder = setupMocks();
        expect(() => new CredentialsTable("credentials", args)).to.throw(message);
        await settle();
        expect(recorder.resources).to.deep.equal([]);
      });
    }
  });
});
