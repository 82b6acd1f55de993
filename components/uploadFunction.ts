import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import {
  bundledPackageExcludes,
  checkFunctionName,
  checkLogRetentionDays,
  checkStatements,
  createFunctionRole,
} from "./edgeFunction";
import { PolicyStatement } from "./policies/document";
import { Tags, checkTags, tagged } from "./tags";
import { checkPlainData, checkWholeNumber } from "./validation";
import {
  UPLOAD_FUNCTION_MEMORY_MB,
  UPLOAD_FUNCTION_TIMEOUT_SECONDS,
  UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS,
} from "../domain/settingBounds";

/** Builds the upload handler from its plain-data config: returns the factory CallbackFunction serializes. */
export type UploadHandlerFactory<C> = (
  config: C,
) => aws.lambda.CallbackFactory<LambdaFunctionURLEvent, LambdaFunctionURLResult>;

/** What an unset argument means (the `@default`s below). */
export const UPLOAD_FUNCTION_DEFAULTS = {
  memorySize: 512,
  timeout: 20,
  logRetentionDays: 30,
  bundledPackages: [],
} as const;

/** The config fields other resources decide, as Inputs (e.g. the bucket's generated name). */
export type DeployTimeConfig<C, D extends keyof C> = { readonly [K in D]: pulumi.Input<C[K]> };

export interface UploadFunctionArgs<C, D extends keyof C = never> {
  /**
   * Name of the function and of its role, e.g. `ppi-dev-upload` (1-64 letters, digits, `-`, `_`);
   * its log group is `/aws/lambda/<name>`. Plain: the role policy names the log group.
   */
  readonly functionName: string;
  /** Builds the handler from `handlerConfig`; called once, at construction (it throws on a bad config). */
  readonly handlerFactory: UploadHandlerFactory<C>;
  /**
   * What the handler needs (region, table, realm, ...) but the `deployTimeConfig` fields. Plain
   * data, not Inputs: the closure captures it, and it ships in the archive, so it must hold no secret.
   */
  readonly handlerConfig: Omit<C, D>;
  /**
   * The config fields whose values other resources decide (the index bucket's generated name):
   * resolved when the stack deploys and captured in the closure as data like the rest (Pulumi
   * serializes a captured Output as its value), never an environment variable. The whole config is
   * checked by the factory at construction when these are plain, else once they resolve (preview).
   * @default {}
   */
  readonly deployTimeConfig?: DeployTimeConfig<C, D>;
  /**
   * Statements the role needs besides writing its own log group (e.g. the bucket's upload
   * statements and the credentials table's `lookupStatement`). Nothing else is granted.
   * @default []
   */
  readonly policyStatements?: readonly pulumi.Input<PolicyStatement>[];
  /**
   * Permissions boundary of the role (the stack's `PermissionsBoundary`).
   * @default undefined (no boundary: such a role can be created by an administrator only)
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /**
   * What the function does, shown in the Lambda console.
   * @default "Answers uploads behind the distribution"
   */
  readonly description?: string;
  /**
   * Memory in MB (128-10240); CPU grows with it (1769 MB is one vCPU).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout in seconds, 1 to 29: below CloudFront's 30-second response timeout for this origin.
   * @default 20
   */
  readonly timeout?: number;
  /**
   * Retention of the function's log group, in days (a CloudWatch Logs retention value).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Packages of package.json `dependencies` the handler `require`s at run time, zipped into the
   * archive; every other dependency is left out (the AWS SDK v3 comes with the runtime).
   * @default []
   */
  readonly bundledPackages?: readonly string[];
  /**
   * Tags of the function, its role and log group, over the provider's default tags.
   * @default {}
   */
  readonly tags?: Tags;
}

/**
 * Throws on the first invalid argument (all but the handler config's own checks, which the factory
 * makes); a component creating an UploadFunction runs it before its own `super`.
 */
export function checkUploadFunctionArgs<C, D extends keyof C>(
  context: string,
  args: UploadFunctionArgs<C, D>,
): void {
  checkFunctionName(context, args.functionName);
  checkPlainData(context, "handlerConfig", args.handlerConfig);
  checkStatements(context, args.policyStatements ?? []);
  const defaults = UPLOAD_FUNCTION_DEFAULTS;
  const memory = UPLOAD_FUNCTION_MEMORY_MB;
  checkWholeNumber(
    context,
    "memorySize (MB)",
    args.memorySize ?? defaults.memorySize,
    memory.min,
    memory.max,
  );
  checkWholeNumber(
    context,
    `timeout (seconds; below CloudFront's ${UPLOAD_ORIGIN_READ_TIMEOUT_SECONDS}-second response timeout)`,
    args.timeout ?? defaults.timeout,
    UPLOAD_FUNCTION_TIMEOUT_SECONDS.min,
    UPLOAD_FUNCTION_TIMEOUT_SECONDS.max,
  );
  checkLogRetentionDays(context, args.logRetentionDays ?? defaults.logRetentionDays);
  const dependencies = bundledPackageExcludes();
  const unknown = (args.bundledPackages ?? defaults.bundledPackages).filter(
    (name) => !dependencies.includes(name),
  );
  if (unknown.length > 0) {
    throw new Error(
      `${context}: bundledPackages names ${unknown.join(", ")}, not in package.json dependencies; ` +
        `add it there (CallbackFunction zips only dependencies) or remove it.`,
    );
  }
  checkTags(context, args.tags);
}

/**
 * The upload endpoint's regional function: the handler a factory builds from plain data,
 * serialized by a CallbackFunction in the provider's region (`nodejs22.x`, arm64), with an explicit
 * role only `lambda.amazonaws.com` may assume holding the given statements and its own log writes,
 * a log group with retention, and a function URL that takes only SigV4-signed requests
 * (`AWS_IAM`): no principal may call it until a resource policy says so, which `PackageIndex`
 * writes for its distribution alone (origin access control).
 */
export class UploadFunction<C, D extends keyof C = never> extends pulumi.ComponentResource {
  readonly function: aws.lambda.CallbackFunction<LambdaFunctionURLEvent, LambdaFunctionURLResult>;
  readonly role: aws.iam.Role;
  /** The role's inline policy: `policyStatements` plus `WriteOwnLogs`. */
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly functionUrl: aws.lambda.FunctionUrl;
  readonly functionName: pulumi.Output<string>;
  readonly functionArn: pulumi.Output<string>;
  /** `https://<id>.lambda-url.<region>.on.aws/`. */
  readonly url: pulumi.Output<string>;
  /** The URL's host name, the distribution's origin domain. */
  readonly urlDomain: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: UploadFunctionArgs<C, D>, opts?: pulumi.ComponentResourceOptions) {
    const context = `UploadFunction ${name}`;
    checkUploadFunctionArgs(context, args);
    const factory = args.handlerFactory;
    const plain = args.handlerConfig;
    const build = (deployTime: object) => {
      try {
        return factory({ ...plain, ...deployTime } as C);
      } catch (error) {
        throw new Error(`${context}: ${(error as Error).message}`);
      }
    };
    const deployTimeInputs: Record<string, unknown> = { ...args.deployTimeConfig };
    const known = Object.values(deployTimeInputs).every(
      (value) => !pulumi.Output.isInstance(value) && !(value instanceof Promise),
    );
    if (known) build(deployTimeInputs);
    // The closure captures this Output; the serialized function reads its resolved value with get().
    const deployTime = pulumi.output(deployTimeInputs).apply((values) => {
      if (!known) build(values);
      return values;
    });
    const callbackFactory: aws.lambda.CallbackFactory<LambdaFunctionURLEvent, LambdaFunctionURLResult> = () =>
      factory({ ...plain, ...deployTime.get() } as C)();
    const statements = args.policyStatements ?? [];
    const defaults = UPLOAD_FUNCTION_DEFAULTS;
    const memorySize = args.memorySize ?? defaults.memorySize;
    const timeout = args.timeout ?? defaults.timeout;
    const logRetentionDays = args.logRetentionDays ?? defaults.logRetentionDays;
    const bundledPackages = args.bundledPackages ?? defaults.bundledPackages;
    const dependencies = bundledPackageExcludes();
    super("python-package-index:upload:UploadFunction", name, {}, opts);

    const functionName = args.functionName;
    const logGroupName = `/aws/lambda/${functionName}`;
    ({ role: this.role, rolePolicy: this.rolePolicy } = createFunctionRole(
      name,
      {
        functionName,
        description: `Role of the upload function ${functionName}`,
        services: ["lambda.amazonaws.com"],
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        statements,
        logGroups: [logGroupName],
        tags: args.tags,
      },
      this,
    ));
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroupName, retentionInDays: logRetentionDays, ...tagged(args.tags) },
      { parent: this },
    );

    this.function = new aws.lambda.CallbackFunction<LambdaFunctionURLEvent, LambdaFunctionURLResult>(
      `${name}-function`,
      {
        name: functionName,
        description: args.description ?? "Answers uploads behind the distribution",
        callbackFactory,
        role: this.role,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        // Graviton: the same work at a lower GB-second price than x86_64 (docs/edge-index.md, cost).
        architectures: ["arm64"],
        packageType: "Zip",
        memorySize,
        timeout,
        codePathOptions: {
          extraExcludePackages: dependencies.filter((dependency) => !bundledPackages.includes(dependency)),
        },
        ...tagged(args.tags),
      },
      { parent: this, dependsOn: [this.rolePolicy, this.logGroup] },
    );

    // AWS_IAM: Lambda refuses every request not signed by a principal its resource policy admits.
    this.functionUrl = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: this.function.name, authorizationType: "AWS_IAM", invokeMode: "BUFFERED" },
      { parent: this },
    );

    this.functionName = this.function.name;
    this.functionArn = this.function.arn;
    this.url = this.functionUrl.functionUrl;
    this.urlDomain = this.functionUrl.functionUrl.apply((url) => new URL(url).host);
    this.roleArn = this.role.arn;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      url: this.url,
      roleArn: this.roleArn,
    });
  }
}
