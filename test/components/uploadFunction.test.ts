import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { UploadFunction, UploadFunctionArgs } from "../../components/uploadFunction";
import { ResourceRecorder, expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";
import { archiveOf } from "../support/bundle";

interface EchoConfig {
  readonly greeting: string;
}

/** A handler factory of the required shape that refuses an empty greeting. */
function echoFactory(config: EchoConfig) {
  if (config.greeting === "") throw new Error("greeting must not be empty");
  const greeting = config.greeting;
  return () =>
    async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => ({
      statusCode: 200,
      body: `${greeting} ${event.rawPath}`,
    });
}

const TABLE_READ = {
  Sid: "ReadCredentials",
  Effect: "Allow" as const,
  Action: "dynamodb:GetItem",
  Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/ppi-test-credentials",
};

function args(overrides: Partial<UploadFunctionArgs<EchoConfig>> = {}): UploadFunctionArgs<EchoConfig> {
  return {
    functionName: "ppi-test-upload",
    handlerFactory: echoFactory,
    handlerConfig: { greeting: "hello" },
    policyStatements: [TABLE_READ],
    permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/ppi-test-boundary",
    ...overrides,
  };
}

describe("UploadFunction", () => {
  describe("with defaults", () => {
    let recorder: ResourceRecorder;
    let upload: UploadFunction<EchoConfig>;
    before(async () => {
      recorder = await setupMocks();
      upload = new UploadFunction("upload", args());
      await valueOf(upload.url);
      await settle();
    });

    it("is a nodejs22.x arm64 function in the provider's region with 512 MB, 20 s and no environment", () => {
      const fn = recorder.one("aws:lambda/function:Function").inputs;
      expect(fn).to.deep.include({
        name: "ppi-test-upload",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        memorySize: 512,
        timeout: 20,
        packageType: "Zip",
      });
      expect(fn.region).to.equal(undefined);
      expect(fn.environment).to.equal(undefined);
      expect(fn.role).to.equal(recorder.one("aws:iam/role:Role").outputs.arn);
    });

    it("has its own role, assumable by Lambda alone, within the boundary", () => {
      const role = recorder.one("aws:iam/role:Role").inputs;
      expect(role.name).to.equal("ppi-test-upload");
      expect(role.permissionsBoundary).to.equal("arn:aws:iam::123456789012:policy/ppi-test-boundary");
      expect(JSON.parse(role.assumeRolePolicy)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      });
    });

    it("grants the given statements and writing its own log group, nothing else", () => {
      const policy = JSON.parse(recorder.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
      expect(policy.Statement).to.deep.equal([
        TABLE_READ,
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [
            "arn:aws:logs:*:123456789012:log-group:/aws/lambda/ppi-test-upload",
            "arn:aws:logs:*:123456789012:log-group:/aws/lambda/ppi-test-upload:*",
          ],
        },
      ]);
    });

    it("logs to /aws/lambda/<name> with a 30-day retention", () => {
      expect(recorder.one("aws:cloudwatch/logGroup:LogGroup").inputs).to.deep.include({
        name: "/aws/lambda/ppi-test-upload",
        retentionInDays: 30,
      });
    });

    it("has a function URL that takes only SigV4-signed requests, buffered", async () => {
      const url = recorder.one("aws:lambda/functionUrl:FunctionUrl").inputs;
      expect(url).to.deep.equal({
        functionName: "ppi-test-upload",
        authorizationType: "AWS_IAM",
        invokeMode: "BUFFERED",
      });
      expect(await valueOf(upload.urlDomain)).to.equal("ppitestupload.lambda-url.eu-west-1.on.aws");
    });

    it("ships __index.js alone, the serialized factory answering a function URL event", async () => {
      const archive = await archiveOf(recorder.one("aws:lambda/function:Function"));
      expect(Object.keys(archive)).to.deep.equal(["__index.js"]);
      expect(archive["__index.js"]).to.contain('"hello"');
    });
  });

  it("passes memory, timeout, retention and tags through", async () => {
    const recorder = await setupMocks();
    const upload = new UploadFunction(
      "upload",
      args({ memorySize: 1024, timeout: 29, logRetentionDays: 90, tags: { Team: "platform" } }),
    );
    await valueOf(upload.url);
    await settle();
    expect(recorder.one("aws:lambda/function:Function").inputs).to.deep.include({
      memorySize: 1024,
      timeout: 29,
      tags: { Team: "platform" },
    });
    expect(recorder.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).to.equal(90);
    expect(recorder.one("aws:iam/role:Role").inputs.tags).to.deep.equal({ Team: "platform" });
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, Partial<UploadFunctionArgs<EchoConfig>>, string][] = [
      [
        "a bad name",
        { functionName: "ppi test" },
        'UploadFunction upload: functionName "ppi test" must be 1-64 letters, digits, dashes or underscores.',
      ],
      [
        "a config the factory refuses",
        { handlerConfig: { greeting: "" } },
        "UploadFunction upload: greeting must not be empty",
      ],
      [
        "an Output in the config",
        { handlerConfig: { greeting: pulumi.output("x") as unknown as string } },
        "UploadFunction upload: handlerConfig.greeting is an Output; handlerConfig must be plain data (strings, numbers, booleans, lists, plain objects): the function captures it at deploy time, and an Output, Promise, resource or function cannot be captured.",
      ],
      [
        "a timeout CloudFront would not wait for",
        { timeout: 30 },
        "UploadFunction upload: timeout (seconds; below CloudFront's 30-second response timeout) is 30; expected a whole number from 1 to 29.",
      ],
      [
        "memory beyond Lambda's",
        { memorySize: 64 },
        "UploadFunction upload: memorySize (MB) is 64; expected a whole number from 128 to 10240.",
      ],
      [
        "a retention CloudWatch does not take",
        { logRetentionDays: 31 },
        "UploadFunction upload: logRetentionDays is 31; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
      ],
      [
        "a bundled package that is no dependency",
        { bundledPackages: ["left-pad"] },
        "UploadFunction upload: bundledPackages names left-pad, not in package.json dependencies; add it there (CallbackFunction zips only dependencies) or remove it.",
      ],
      [
        "a statement allowing everything",
        { policyStatements: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        "UploadFunction upload: policyStatements[0] allows every action; grant the actions the handler calls.",
      ],
    ];
    for (const [what, overrides, message] of cases) {
      it(`refuses ${what}`, () =>
        expectRefusedBeforeRegistering(() => new UploadFunction("upload", args(overrides)), message));
    }
  });
});
