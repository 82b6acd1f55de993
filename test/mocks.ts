/**
 * Pulumi mocks shared by every component and program test. They record each registered
 * resource with its exact inputs and options, answer with plausible computed outputs (ids, ARNs,
 * domain names), and throw on any invoke that a test has not mocked, so a component that quietly
 * starts depending on a data source fails loudly here instead of in a preview.
 *
 * Only public SDK API: `setMocks` for inputs and outputs, and a stack transformation for the
 * resource options (the mock monitor passes none to `newResource`). Like `pulumi up`, every
 * resource is created under a root `pulumi:pulumi:Stack`, whose transformations its children inherit.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The id and outputs the mocks answered with: what other resources see when they reference it. */
  readonly id: string;
  readonly outputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly provider?: string;
  readonly custom: boolean;
  /** The `protect` and `retainOnDelete` resource options as registered. */
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** `<type>::<name>` of the parent resource; undefined for a child of the root stack. */
  readonly parent?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type InvokeHandler = (args: Record<string, any>) => Record<string, any>;

export interface MockOptions {
  readonly project?: string;
  readonly stack?: string;
  /** Invoke token (e.g. `aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider`) → result. */
  readonly invokes?: Record<string, InvokeHandler>;
  /** Raw config values, keyed `project:key` or `aws:region`, as a stack file would give them. */
  readonly config?: Record<string, string>;
}

const ACCOUNT = "123456789012";

/** Computed outputs a real provider would return, by resource type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  const region = inputs.region ?? "eu-west-1";
  const service = type.split(":")[1]?.split("/")[0] ?? "mock";
  const base = { arn: inputs.arn ?? `arn:aws:${service}:${region}:${ACCOUNT}:${name}` };
  switch (type) {
    case "aws:lambda/function:Function":
      return {
        arn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${inputs.name ?? name}`,
        qualifiedArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${inputs.name ?? name}:1`,
        version: "1",
        name: inputs.name ?? name,
      };
    case "aws:lambda/functionUrl:FunctionUrl":
      return {
        functionUrl: `https://${String(inputs.functionName).replace(/[^a-z0-9]/g, "")}.lambda-url.${region}.on.aws/`,
        functionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${inputs.functionName}`,
      };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      // A prefixed bucket gets a generated suffix, as S3 names it (`<bucketPrefix><26 digits>`).
      const bucket =
        inputs.bucket ??
        (inputs.bucketPrefix ? `${inputs.bucketPrefix}20260101000000000000000001` : `${name}-bucket`);
      return {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
      };
    }
    case "aws:cloudfront/distribution:Distribution":
      return {
        arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E${name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
        domainName: `d111111abcdef8.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
      };
    // Cache, origin-request and response-headers policies and OACs: generated ids, global ARNs.
    case "aws:cloudfront/cachePolicy:CachePolicy":
      return { arn: `arn:aws:cloudfront::${ACCOUNT}:cache-policy/${name}-id` };
    case "aws:cloudfront/originRequestPolicy:OriginRequestPolicy":
      return { arn: `arn:aws:cloudfront::${ACCOUNT}:origin-request-policy/${name}-id` };
    case "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
      return { arn: `arn:aws:cloudfront::${ACCOUNT}:response-headers-policy/${name}-id` };
    case "aws:cloudfront/originAccessControl:OriginAccessControl":
      return { arn: `arn:aws:cloudfront::${ACCOUNT}:origin-access-control/${name}-id` };
    case "aws:dynamodb/table:Table":
      return {
        name: inputs.name ?? name,
        arn: `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${inputs.name ?? name}`,
      };
    case "aws:iam/role:Role":
      return { name: inputs.name ?? name, arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? name}` };
    case "aws:iam/policy:Policy":
      return { name: inputs.name ?? name, arn: `arn:aws:iam::${ACCOUNT}:policy/${inputs.name ?? name}` };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return {
        arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
      };
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${name}`, keyId: `${name}-key-id` };
    case "aws:codeartifact/domain:Domain":
      return {
        arn: `arn:aws:codeartifact:${region}:${ACCOUNT}:domain/${inputs.domain}`,
        owner: ACCOUNT,
      };
    case "aws:codeartifact/repository:Repository":
      return {
        arn: `arn:aws:codeartifact:${region}:${ACCOUNT}:repository/${inputs.domain}/${inputs.repository}`,
        domainOwner: ACCOUNT,
      };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${name}`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_x1.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_x2.acm-validations.aws.",
          },
        ],
      };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "aws:wafv2/webAcl:WebAcl":
      return { arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/${inputs.name ?? name}/id` };
    case "awsx:ec2:Vpc": {
      // A remote component: under mocks it has no children, so fake the ids it would output.
      const subnets = (kind: string) => [1, 2].map((i) => `subnet-${name}-${kind}-${i}`);
      return {
        vpcId: `vpc-${name}`,
        publicSubnetIds: subnets("public"),
        privateSubnetIds: subnets("private"),
        isolatedSubnetIds: subnets("isolated"),
      };
    }
    case "pulumi:pulumi:StackReference": {
      // An infrastructure stack read by deployments/: what index.ts exports with githubOidc and
      // CodeArtifact on (a name ending in "-no-codeartifact" exports no CodeArtifact outputs).
      const stack = String(inputs.name).split("/").pop()!;
      const role = (purpose: string) => `arn:aws:iam::${ACCOUNT}:role/ppi-${stack}-${purpose}`;
      const codeArtifact = stack.endsWith("-no-codeartifact")
        ? {}
        : {
            codeArtifactDomain: `ppi-${stack}`,
            codeArtifactDomainOwner: ACCOUNT,
            codeArtifactRepository: "packages",
          };
      return {
        outputs: {
          deployerRoleArn: role("deployer"),
          previewerRoleArn: role("previewer"),
          publisherRoleArn: role("publisher"),
          bucketName: `ppi-${stack}-index-20260101000000000000000001`,
          indexUrl: `https://${stack}.pypi.example.com/simple/`,
          region: "eu-west-1",
          packageRepositories: ["acme/acme-utils", "acme/acme-models"],
          ...codeArtifact,
        },
      };
    }
    default:
      return base;
  }
}

/** The record of one mocked program run. */
export class ResourceRecorder {
  readonly resources: RecordedResource[] = [];

  /** Every recorded resource of a type token, e.g. `aws:s3/bucket:Bucket`. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type (optionally whose name ends with `nameSuffix`); throws otherwise. */
  one(type: string, nameSuffix?: string): RecordedResource {
    const matches = this.ofType(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
    if (matches.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(
        `expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found [${names.join(", ")}]`,
      );
    }
    return matches[0];
  }

  /** The resource registered under exactly this logical name and type; throws otherwise. */
  named(type: string, name: string): RecordedResource {
    const match = this.ofType(type).find((r) => r.name === name);
    if (!match) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`no ${type} named ${name}; found [${names.join(", ")}]`);
    }
    return match;
  }

  /** Custom (cloud) resources only: what a `pulumi up` would create. */
  get customResources(): RecordedResource[] {
    return this.resources.filter((r) => r.custom);
  }
}

/**
 * `<type>::<name>` of the provider a resource was registered with (its reference is
 * `<provider URN>::<id>`, and the URN's type carries the parent chain), or undefined for none.
 */
export function providerOf(resource: RecordedResource): string | undefined {
  if (!resource.provider) return undefined;
  const [, , qualifiedType, name] = resource.provider.split("::");
  return `${qualifiedType.split("$").pop()}::${name}`;
}

/** Options a stack transformation saw, waiting for the registration of the same type and name. */
type SeenOptions = Pick<RecordedResource, "protect" | "retainOnDelete" | "parent">;

/**
 * Installs fresh mocks under a new root stack and returns the recorder. Call it before constructing
 * resources, in a `before`/`beforeEach`; each call starts a new, empty record.
 */
export async function setupMocks(options: MockOptions = {}): Promise<ResourceRecorder> {
  const recorder = new ResourceRecorder();
  const project = options.project ?? "python-package-index";
  const stack = options.stack ?? "test";
  const seen = new Map<string, SeenOptions[]>();
  const seenKey = (type: string, name: string) => `${type}\u0000${name}`;
  pulumi.runtime.setAllConfig({ ...(options.config ?? {}) }, []);
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const state = { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) };
        // The monitor passes an empty import id for new resources: `||`, not `??`, or every id is unknown.
        const id = args.id || `${args.name}-id`;
        if (args.type !== ROOT_STACK_TYPE) {
          const resourceOptions = seen.get(seenKey(args.type, args.name))?.shift();
          recorder.resources.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            id,
            outputs: state,
            provider: args.provider,
            custom: args.custom ?? true,
            protect: resourceOptions?.protect ?? false,
            retainOnDelete: resourceOptions?.retainOnDelete ?? false,
            parent: resourceOptions?.parent,
          });
        }
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const handler = options.invokes?.[args.token];
        try {
          if (!handler) {
            throw new Error(
              `unmocked invoke ${args.token}(${JSON.stringify(args.inputs)}): add it to setupMocks({ invokes })`,
            );
          }
          return handler(args.inputs);
        } catch (error) {
          // The SDK passes on only an RPC error's `details`, so the cause must travel there.
          const message = error instanceof Error ? error.message : String(error);
          throw Object.assign(new Error(message), { details: message });
        }
      },
    },
    project,
    stack,
    false,
  );
  // `protect` is inherited from the parent after transformations run, so it is resolved up the chain here.
  const effectiveProtect = new WeakMap<pulumi.Resource, boolean>();
  const identity = new WeakMap<pulumi.Resource, string>();
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(({ resource, type, name, opts }) => {
      const parent = opts.parent;
      const protect = opts.protect ?? (parent ? (effectiveProtect.get(parent) ?? false) : false);
      effectiveProtect.set(resource, protect);
      identity.set(resource, `${type}::${name}`);
      const key = seenKey(type, name);
      const options = {
        protect,
        retainOnDelete: opts.retainOnDelete ?? false,
        parent: parent ? identity.get(parent) : undefined,
      };
      seen.set(key, [...(seen.get(key) ?? []), options]);
      return undefined;
    });
    return {};
  });
  return recorder;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Longest wait for an output; a mocked output resolves within milliseconds. */
const OUTPUT_TIMEOUT_MS = 10_000;

/**
 * Resolves a Pulumi output (or plain value) in a test. Fails fast with the cause when the output
 * fails (a throwing apply, a refused registration or invoke) and with a clear message when it never
 * resolves (an unknown value, or a dependency that never settles), instead of waiting out mocha.
 */
export function valueOf<T>(
  output: pulumi.Input<T>,
  what = "the output",
  timeoutMs = OUTPUT_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // A failed output rejects promises no one holds: Node reports them as unhandled rejections.
    const onRejection = (reason: unknown) =>
      finish(() =>
        reject(
          new Error(`valueOf: ${what} failed: ${reason instanceof Error ? reason.message : String(reason)}`),
        ),
      );
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              `valueOf: ${what} did not resolve within ${timeoutMs} ms: it is unknown (pulumi.unknown, ` +
                `or a computed property test/mocks.ts does not return) or waits on something that never settles.`,
            ),
          ),
        ),
      timeoutMs,
    );
    const finish = (settleWith: () => void) => {
      clearTimeout(timer);
      process.removeListener("unhandledRejection", onRejection);
      settleWith();
    };
    process.on("unhandledRejection", onRejection);
    pulumi.output(output).apply((value) => {
      finish(() => resolve(value as T));
      return value;
    });
  });
}

/** Waits until every resource registration issued so far has reached the mocks. */
export async function settle(): Promise<void> {
  // Registrations chain through several promise turns; a few macrotask turns drain them.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** What a refusal must say: the exact message, a pattern, or (for multi-problem errors) every part. */
export type ExpectedRefusal = string | RegExp | readonly string[];

/**
 * Asserts that `build` throws `expected` and that nothing was registered: validation comes before
 * the first resource. Uses fresh mocks unless a `recorder` of already installed mocks is given.
 * Returns the error for further checks.
 */
export async function expectRefusedBeforeRegistering(
  build: () => unknown,
  expected: ExpectedRefusal,
  options: { readonly recorder?: ResourceRecorder; readonly mocks?: MockOptions } = {},
): Promise<Error> {
  const recorder = options.recorder ?? (await setupMocks(options.mocks));
  let error: Error | undefined;
  try {
    build();
  } catch (thrown) {
    error = thrown as Error;
  }
  if (!error) throw new Error("expected a refusal, but nothing was thrown");
  if (typeof expected === "string") expect(error.message).to.equal(expected);
  else if (expected instanceof RegExp) expect(error.message).to.match(expected);
  else for (const part of expected) expect(error.message).to.contain(part);
  await settle();
  expect(
    recorder.resources.map((r) => `${r.type} ${r.name}`),
    "registered before the refusal",
  ).to.deep.equal([]);
  return error;
}
