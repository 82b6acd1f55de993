import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { AWS_REGION_PATTERN } from "../domain/aws";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import { PolicyStatement, policyDocument } from "./policies/document";
import { Tags, checkTags, tagged } from "./tags";
import { checkPlainData, checkWholeNumber } from "./validation";

/** Viewer-trigger limits of Lambda@Edge: 128 MB is also the most a viewer trigger may have. */
export const VIEWER_TRIGGER_MEMORY_MB = 128;
export const VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS = 5;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** Lambda function names, also used for the role (IAM allows 64 characters too). */
const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Builds the viewer trigger from its plain-data config: returns the factory CallbackFunction
 * serializes (whatever it captures ships in the bundle). It must throw on an invalid config.
 */
export type EdgeHandlerFactory<C, E = CloudFrontRequestEvent, R = CloudFrontRequestResult> = (
  config: C,
) => aws.lambda.CallbackFactory<E, R>;

/** What an unset argument means. */
export const EDGE_FUNCTION_DEFAULTS = {
  timeout: VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS,
  logRetentionDays: 30,
  logRegions: [CLOUDFRONT_REGION],
  retainOnDelete: true,
} as const;

export interface EdgeFunctionArgs<C, E = CloudFrontRequestEvent, R = CloudFrontRequestResult> {
  /**
   * Name of the function and of its role, e.g. `ppi-dev-viewer-request` (1-64 letters, digits, `-`,
   * `_`); its log groups are `/aws/lambda/<name>` and `/aws/lambda/us-east-1.<name>`. Plain: the
   * role policy names the log groups.
   */
  readonly functionName: string;
  /** Builds the handler from `handlerConfig`; called once, at construction. */
  readonly handlerFactory: EdgeHandlerFactory<C, E, R>;
  /**
   * What the handler needs (e.g. table, realm, cache TTLs). Plain data, not Inputs: the closure
   * captures it at deploy time, and a closure must capture no Outputs (nor secrets: it ships in the bundle).
   */
  readonly handlerConfig: C;
  /**
   * Statements the handler's role needs besides writing its own logs, e.g. the credentials table's
   * `lookupStatement`. Nothing else is granted.
   * @default []
   */
  readonly policyStatements?: readonly pulumi.Input<PolicyStatement>[];
  /**
   * Permissions boundary of the function's role (the stack's `PermissionsBoundary`): the deployer
   * may create and change roles only when they carry it. The program always passes it.
   * @default undefined (no boundary: such a role can be created by an administrator only)
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /**
   * What the function does, shown in the Lambda console.
   * @default "Lambda@Edge viewer trigger"
   */
  readonly description?: string;
  /**
   * What the role is for, shown in the IAM console.
   * @default "Role of the Lambda@Edge function <functionName>"
   */
  readonly roleDescription?: string;
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
  /**
   * Tags of the function, its role and log groups, over the provider's default tags.
   * @default {}
   */
  readonly tags?: Tags;
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

/** Throws unless `functionName` is a Lambda function name (and so an IAM role name). */
export function checkFunctionName(context: string, functionName: string): void {
  if (!FUNCTION_NAME_PATTERN.test(functionName)) {
    throw new Error(
      `${context}: functionName ${JSON.stringify(functionName)} must be 1-64 letters, digits, dashes or underscores.`,
    );
  }
}

/** Throws unless `days` is a retention CloudWatch Logs accepts. */
export function checkLogRetentionDays(context: string, days: number): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(`${context}: logRetentionDays is ${days}; use one of ${LOG_RETENTION_DAYS.join(", ")}.`);
  }
}

/** The role statement letting a function write the given log groups (in any region of the account). */
export function logWriteStatement(roleArn: string, groups: readonly string[]): PolicyStatement {
  // Partition and account come from the role's ARN, so the policy needs no caller-identity lookup.
  const [, partition, , , account] = roleArn.split(":");
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: groups.flatMap((group) => [
      `arn:${partition}:logs:*:${account}:log-group:${group}`,
      `arn:${partition}:logs:*:${account}:log-group:${group}:*`,
    ]),
  };
}

/** What `createFunctionRole` builds a function's role from. */
export interface FunctionRoleSpec {
  /** The function's name, also the role's. */
  readonly functionName: string;
  readonly description: string;
  /** Services that may assume the role (`lambda.amazonaws.com`, and for Lambda@Edge `edgelambda.amazonaws.com`). */
  readonly services: readonly string[];
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /** The statements granted besides writing `logGroups`. */
  readonly statements: readonly pulumi.Input<PolicyStatement>[];
  readonly logGroups: readonly string[];
  readonly tags?: Tags;
}

/**
 * A function's own role and inline policy: trusted by the given services only, holding the given
 * statements and `WriteOwnLogs` on its log groups, nothing else. Children of `parent`.
 */
export function createFunctionRole(
  name: string,
  spec: FunctionRoleSpec,
  parent: pulumi.Resource,
): { role: aws.iam.Role; rolePolicy: aws.iam.RolePolicy } {
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      name: spec.functionName,
      description: spec.description,
      permissionsBoundary: spec.permissionsBoundaryArn,
      assumeRolePolicy: JSON.stringify(
        policyDocument([
          {
            Effect: "Allow",
            Principal: { Service: spec.services.length === 1 ? spec.services[0] : [...spec.services] },
            Action: "sts:AssumeRole",
          },
        ]),
      ),
      ...tagged(spec.tags),
    },
    { parent },
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.name,
      policy: pulumi
        .all([role.arn, pulumi.all([...spec.statements])])
        .apply(([roleArn, granted]) =>
          JSON.stringify(
            policyDocument([
              ...(granted as unknown as PolicyStatement[]),
              logWriteStatement(roleArn, spec.logGroups),
            ]),
          ),
        ),
    },
    { parent },
  );
  return { role, rolePolicy };
}

/** Throws on the first plain statement IAM would refuse or that grants everything. */
export function checkStatements(context: string, statements: readonly pulumi.Input<PolicyStatement>[]): void {
  statements.forEach((statement, i) => {
    if (pulumi.Output.isInstance(statement) || statement instanceof Promise) return;
    const actions = [statement.Action ?? []].flat();
    if (actions.length === 0 || (statement.Resource === undefined && statement.NotResource === undefined))
      throw new Error(`${context}: policyStatements[${i}] needs an Action and a Resource.`);
    if (statement.Effect === "Allow" && actions.includes("*"))
      throw new Error(
        `${context}: policyStatements[${i}] allows every action; grant the actions the handler calls.`,
      );
  });
}

/**
 * A Lambda@Edge viewer trigger, the AWS CDK `EdgeFunction` way: the handler a factory builds from
 * plain data, serialized by a CallbackFunction in us-east-1 (whatever provider it is given), always
 * published as a numbered version (`qualifiedArn`, never `$LATEST`), with an explicit role that
 * Lambda@Edge can assume and that holds only the given statements and its own log writes.
 */
export class EdgeFunction<C, E = CloudFrontRequestEvent, R = CloudFrontRequestResult>
  extends pulumi.ComponentResource
{
  readonly function: aws.lambda.CallbackFunction<E, R>;
  readonly role: aws.iam.Role;
  /** The role's inline policy: `policyStatements` plus `WriteOwnLogs`. */
  readonly rolePolicy: aws.iam.RolePolicy;
  /** The log groups created here: the home one, then one per `logRegions` entry. */
  readonly logGroups: readonly aws.cloudwatch.LogGroup[];
  /** The numbered version's ARN (never `$LATEST`), for a distribution's viewer-trigger association. */
  readonly qualifiedArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeFunctionArgs<C, E, R>, opts?: pulumi.ComponentResourceOptions) {
    const context = `EdgeFunction ${name}`;
    checkFunctionName(context, args.functionName);
    checkPlainData(context, "handlerConfig", args.handlerConfig);
    let callbackFactory: aws.lambda.CallbackFactory<E, R>;
    try {
      callbackFactory = args.handlerFactory(args.handlerConfig);
    } catch (error) {
      throw new Error(`${context}: ${(error as Error).message}`);
    }
    const statements = args.policyStatements ?? [];
    checkStatements(context, statements);
    const timeout = args.timeout ?? EDGE_FUNCTION_DEFAULTS.timeout;
    checkWholeNumber(
      context,
      `timeout (seconds; viewer triggers allow at most ${VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS})`,
      timeout,
      1,
      VIEWER_TRIGGER_MAX_TIMEOUT_SECONDS,
    );
    const logRetentionDays = args.logRetentionDays ?? EDGE_FUNCTION_DEFAULTS.logRetentionDays;
    checkLogRetentionDays(context, logRetentionDays);
    const logRegions = args.logRegions ?? EDGE_FUNCTION_DEFAULTS.logRegions;
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
    checkTags(context, args.tags);
    super("python-package-index:edge:EdgeFunction", name, {}, opts);

    const functionName = args.functionName;
    const logGroups = edgeLogGroupNames(functionName);
    ({ role: this.role, rolePolicy: this.rolePolicy } = createFunctionRole(
      name,
      {
        functionName,
        description: args.roleDescription ?? `Role of the Lambda@Edge function ${functionName}`,
        services: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"],
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        statements,
        logGroups: [logGroups.replicas, logGroups.home],
        tags: args.tags,
      },
      this,
    ));
    const groupNames = [
      { region: CLOUDFRONT_REGION, name: logGroups.home, suffix: "logs" },
      ...logRegions.map((logRegion) => ({
        region: logRegion,
        name: logGroups.replicas,
        suffix: `logs-${logRegion}`,
      })),
    ];
    this.logGroups = groupNames.map(
      (group) =>
        new aws.cloudwatch.LogGroup(
          `${name}-${group.suffix}`,
          { name: group.name, region: group.region, retentionInDays: logRetentionDays, ...tagged(args.tags) },
          { parent: this },
        ),
    );

    this.function = new aws.lambda.CallbackFunction<E, R>(
      `${name}-function`,
      {
        name: functionName,
        region: CLOUDFRONT_REGION,
        description: args.description ?? "Lambda@Edge viewer trigger",
        callbackFactory,
        role: this.role,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ["x86_64"], // the only architecture Lambda@Edge runs
        packageType: "Zip",
        memorySize: VIEWER_TRIGGER_MEMORY_MB,
        timeout,
        publish: true,
        codePathOptions: { extraExcludePackages: bundledPackageExcludes() },
        ...tagged(args.tags),
      },
      {
        parent: this,
        dependsOn: [this.rolePolicy, ...this.logGroups],
        retainOnDelete: args.retainOnDelete ?? EDGE_FUNCTION_DEFAULTS.retainOnDelete,
      },
    );

    this.qualifiedArn = this.function.qualifiedArn.apply((arn) => {
      if (arn.endsWith(":$LATEST"))
        throw new Error(`${context}: the function has no published version (${arn}).`);
      return arn;
    });
    this.functionName = this.function.name;
    this.roleArn = this.role.arn;
    this.registerOutputs({
      qualifiedArn: this.qualifiedArn,
      functionName: this.functionName,
      roleArn: this.roleArn,
    });
  }
}
