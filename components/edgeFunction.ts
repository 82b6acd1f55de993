import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION_PATTERN } from "../domain/aws";
import {
  ViewerRequestConfig,
  assertValidViewerRequestConfig,
  viewerRequestHandlerFactory,
} from "../edge/handler";
import { policyDocument } from "./policies/document";
import { checkNamePrefix, checkWholeNumber } from "./validation";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

/** Viewer-trigger limits of Lambda@Edge: 128 MB is also the most a viewer trigger may have. */
export const VIEWER_TRIGGER_MEMORY_MB = 128;
export const VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS = 5;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface EdgeFunctionArgs {
  /**
   * What the viewer-request handler needs (table, realm, cache TTLs, channels). Plain data, not
   * Inputs: the closure captures it at deploy time, and a closure must capture no Outputs.
   */
  readonly handler: ViewerRequestConfig;
  /**
   * Physical name prefix, e.g. `ppi-dev`: the function and its role are `<namePrefix>-viewer-request`.
   * Plain data: the log-group names in the role policy derive from it.
   */
  readonly namePrefix: string;
  /** ARNs of the credentials table and of each replica: the only things the role may read. */
  readonly credentialsTableArns: pulumi.Input<string>[];
  /**
   * Permissions boundary of the function's role (the stack's `PermissionsBoundary`): the deployer
   * may create and change roles only when they carry it. The program always passes it.
   * @default undefined (no boundary: such a role can be created by an administrator only)
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /**
   * Timeout in seconds, 1-5 (the viewer-trigger maximum); lookups give up well before it.
   * @default 5
   */
  readonly timeout?: number;
  /**
   * Retention of the function's log groups, in days (a CloudWatch Logs retention value).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Regions whose `/aws/lambda/us-east-1.<name>` log group is created here with the retention above;
   * in other regions Lambda@Edge creates it on first use (without retention).
   * @default ["us-east-1"]
   */
  readonly logRegions?: readonly string[];
  /**
   * Leave the function in the account on `pulumi destroy`: CloudFront keeps its replicas for hours
   * after the distribution lets go, and deleting it fails meanwhile (docs/runbooks.md §7).
   * @default true
   */
  readonly retainOnDelete?: boolean;
}

/**
 * Package names CallbackFunction would otherwise zip: every `dependencies` and
 * `optionalDependencies` entry of package.json (it merges both). The edge bundle needs none of
 * them — the AWS SDK v3 comes with the Lambda runtime — so the archive is `__index.js` alone.
 */
export function bundledPackageExcludes(
  packageJsonPath = path.join(__dirname, "..", "package.json"),
): string[] {
  const manifest = JSON.parse(fs.readFileSync(packageJsonPath, "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})];
}

/** The two log-group names a Lambda@Edge function writes to. */
export function edgeLogGroupNames(functionName: string): {
  readonly replicas: string;
  readonly home: string;
} {
  return {
    replicas: `/aws/lambda/${CLOUDFRONT_REGION}.${functionName}`,
    home: `/aws/lambda/${functionName}`,
  };
}

/**
 * The viewer-request function of the index: the handler from `edge/` serialized by a
 * CallbackFunction in us-east-1, published as a numbered version, with an explicit
 * least-privilege role (read the credentials table, write its own logs) that Lambda@Edge can assume.
 */
export class EdgeFunction extends pulumi.ComponentResource {
  /** The numbered version's ARN (never `$LATEST`), for the distribution's viewer-request association. */
  readonly qualifiedArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `EdgeFunction ${name}`;
    checkNamePrefix(context, args.namePrefix);
    assertValidViewerRequestConfig(args.handler, context);
    if (args.credentialsTableArns.length === 0) {
      throw new Error(
        `${context}: credentialsTableArns is empty; pass the credentials table ARN (and its replicas').`,
      );
    }
    const timeout = args.timeout ?? VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS;
    checkWholeNumber(context, "timeout (seconds; viewer triggers allow at most 5)", timeout, 1, 5);
    const logRetentionDays = args.logRetentionDays ?? 30;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
      throw new Error(
        `${context}: logRetentionDays is ${logRetentionDays}; use one of ${LOG_RETENTION_DAYS.join(", ")}.`,
      );
    }
    const logRegions = args.logRegions ?? [CLOUDFRONT_REGION];
    for (const logRegion of logRegions) {
      if (!AWS_REGION_PATTERN.test(logRegion)) {
        throw new Error(
          `${context}: logRegions entry ${JSON.stringify(logRegion)} is not an AWS region name such as eu-west-1.`,
        );
      }
    }
    if (new Set(logRegions).size !== logRegions.length) {
      throw new Error(`${context}: logRegions ${JSON.stringify(logRegions)} lists a region twice.`);
    }
    super("python-package-index:edge:EdgeFunction", name, {}, opts);

    const functionName = `${args.namePrefix}-viewer-request`;
    const logGroups = edgeLogGroupNames(functionName);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: functionName,
        description: "Lambda@Edge viewer-request function of the package index",
        permissionsBoundary: args.permissionsBoundaryArn,
        assumeRolePolicy: JSON.stringify(
          policyDocument([
            {
              Effect: "Allow",
              Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
              Action: "sts:AssumeRole",
            },
          ]),
        ),
      },
      { parent: this },
    );
    // Partition and account come from the table ARN, so the policy needs no caller-identity lookup.
    const tableArns = pulumi.all(args.credentialsTableArns);
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.name,
        policy: tableArns.apply((arns) => {
          const [, partition, , , account] = arns[0].split(":");
          const logGroupArns = [logGroups.replicas, logGroups.home].flatMap((group) => [
            `arn:${partition}:logs:*:${account}:log-group:${group}`,
            `arn:${partition}:logs:*:${account}:log-group:${group}:*`,
          ]);
          return JSON.stringify(
            policyDocument([
              { Sid: "ReadCredentials", Effect: "Allow", Action: "dynamodb:GetItem", Resource: arns },
              {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: logGroupArns,
              },
            ]),
          );
        }),
      },
      { parent: this },
    );
    const groupNames = [
      { region: CLOUDFRONT_REGION, name: logGroups.home, suffix: "logs" },
      ...logRegions.map((logRegion) => ({
        region: logRegion,
        name: logGroups.replicas,
        suffix: `logs-${logRegion}`,
      })),
    ];
    const logGroupResources = groupNames.map(
      (group) =>
        new aws.cloudwatch.LogGroup(
          `${name}-${group.suffix}`,
          { name: group.name, region: group.region, retentionInDays: logRetentionDays },
          { parent: this },
        ),
    );

    const fn = new aws.lambda.CallbackFunction(
      `${name}-function`,
      {
        name: functionName,
        region: CLOUDFRONT_REGION,
        description: "Authenticates index requests and rewrites them into the tenant's prefix",
        callbackFactory: viewerRequestHandlerFactory(args.handler),
        role,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ["x86_64"], // the only architecture Lambda@Edge runs
        packageType: "Zip",
        memorySize: VIEWER_TRIGGER_MEMORY_MB,
        timeout,
        publish: true,
        codePathOptions: { extraExcludePackages: bundledPackageExcludes() },
      },
      {
        parent: this,
        dependsOn: [policy, ...logGroupResources],
        retainOnDelete: args.retainOnDelete ?? true,
      },
    );

    this.qualifiedArn = fn.qualifiedArn.apply((arn) => {
      if (arn.endsWith(":$LATEST"))
        throw new Error(`${context}: the function has no published version (${arn}).`);
      return arn;
    });
    this.functionName = fn.name;
    this.roleArn = role.arn;
    this.registerOutputs({
      qualifiedArn: this.qualifiedArn,
      functionName: this.functionName,
      roleArn: this.roleArn,
    });
  }
}
