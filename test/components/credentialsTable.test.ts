import { expect } from "chai";
import { CredentialsTable, CredentialsTableArgs } from "../../components/credentialsTable";
import { ResourceRecorder, expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";

const TABLE = "aws:dynamodb/table:Table";

async function build(
  args: CredentialsTableArgs,
): Promise<{ recorder: ResourceRecorder; table: CredentialsTable }> {
  const recorder = await setupMocks();
  const table = new CredentialsTable("credentials", args);
  await valueOf(table.lookupStatement);
  await settle();
  return { recorder, table };
}

describe("CredentialsTable", () => {
  describe("with defaults", () => {
    let recorder: ResourceRecorder;
    let table: CredentialsTable;
    before(async () => ({ recorder, table } = await build({ namePrefix: "ppi-test" })));

    it("lives in us-east-1 next to the edge function, named after the prefix", () => {
      const inputs = recorder.one(TABLE).inputs;
      expect(inputs.region).to.equal("us-east-1");
      expect(inputs.name).to.equal("ppi-test-credentials");
      expect(table.tableName).to.equal("ppi-test-credentials");
      expect(table.region).to.equal("us-east-1");
    });

    it("is encrypted at rest and recoverable to any point in time", () => {
      const inputs = recorder.one(TABLE).inputs;
      expect(inputs.serverSideEncryption).to.deep.equal({ enabled: true });
      expect(inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
    });

    it("is keyed on the public key, with the tenant index the CLI lists keys by", () => {
      const inputs = recorder.one(TABLE).inputs;
      expect(inputs.hashKey).to.equal("publicKey");
      expect(inputs.globalSecondaryIndexes.map((i: { name: string }) => i.name)).to.deep.equal(["tenant"]);
    });

    it("deletes expired keys through its time-to-live on expiresAt", () => {
      expect(recorder.one(TABLE).inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    });

    it("is neither protected nor replicated unless asked", () => {
      const resource = recorder.one(TABLE);
      expect(resource.protect).to.equal(false);
      expect(resource.inputs.deletionProtectionEnabled).to.equal(false);
      expect(resource.inputs).not.to.have.property("replicas");
    });

    it("grants a lookup GetItem on the table and nothing else", async () => {
      expect(await valueOf(table.lookupStatement)).to.deep.equal({
        Sid: "ReadCredentials",
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: [recorder.one(TABLE).outputs.arn],
      });
      expect(await valueOf(table.table.arn)).to.equal(recorder.one(TABLE).outputs.arn);
    });
  });

  it("when protected, turns on deletion protection and Pulumi protect", async () => {
    const { recorder } = await build({ namePrefix: "ppi-test", protect: true });
    const resource = recorder.one(TABLE);
    expect(resource.inputs.deletionProtectionEnabled).to.equal(true);
    expect(resource.protect).to.equal(true);
  });

  it("replicates to each region over the table's stream, each replica protected and recoverable", async () => {
    const { recorder, table } = await build({
      namePrefix: "ppi-test",
      replicaRegions: ["eu-west-1", "ap-southeast-2"],
      protect: true,
    });
    const inputs = recorder.one(TABLE).inputs;
    expect(inputs.streamEnabled).to.equal(true);
    expect(inputs.replicas.map((r: { regionName: string }) => r.regionName)).to.deep.equal([
      "eu-west-1",
      "ap-southeast-2",
    ]);
    for (const replica of inputs.replicas) {
      expect(replica.pointInTimeRecovery, replica.regionName).to.equal(true);
      expect(replica.deletionProtectionEnabled, replica.regionName).to.equal(true);
    }
    const lookup = await valueOf(table.lookupStatement);
    expect(lookup.Resource).to.deep.equal([
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
      [
        "a tag value over 256 characters",
        { namePrefix: "ppi-test", tags: { Owner: "x".repeat(257) } },
        `CredentialsTable credentials: tag "Owner" has value "${"x".repeat(257)}"; values are at most 256 letters, digits, spaces or _.:/=+-@.`,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, () =>
        expectRefusedBeforeRegistering(() => new CredentialsTable("credentials", args), message));
    }
  });
});
