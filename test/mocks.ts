/**
 * Pulumi mocks shared by every component and program test. They record each registered
 * resource with its exact inputs, answer with plausible computed outputs (ids, ARNs, domain
 * names), and throw on any invoke that a test has not mocked, so a component that quietly
 * starts depending on a data source fails loudly here instead of in a preview.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly provider?: string;
  readonly custom: boolean;
  /** The `protect` and `retainOnDelete` resource options as registered. */
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** The state the mocks answered with: inputs plus the computed outputs (ids, ARNs, names). */
  readonly outputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
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
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = inputs.bucket ?? `${name}-bucket`;
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

  /** Custom (cloud) resources only: what a `pulumi up` would create. */
  get customResources(): RecordedResource[] {
    return this.resources.filter((r) => r.custom);
  }

  /** Count of custom resources per type token, for program-level assertions. */
  countByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.customResources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
  }
}

/**
 * Installs fresh mocks and returns the recorder. Call it before constructing resources, in a
 * `before`/`beforeEach`; each call starts a new, empty record.
 */
export function setupMocks(options: MockOptions = {}): ResourceRecorder {
  const recorder = new ResourceRecorder();
  const project = options.project ?? "python-package-index";
  const stack = options.stack ?? "test";
  pulumi.runtime.setAllConfig({ ...(options.config ?? {}) }, []);
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const state = { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) };
        recorder.resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          custom: args.custom ?? true,
          ...registeringOptions,
          outputs: state,
        });
        // The monitor passes an empty import id for new resources: `||`, not `??`, or every id is unknown.
        return { id: args.id || `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const handler = options.invokes?.[args.token];
        if (!handler) {
          throw new Error(
            `unmocked invoke ${args.token}(${JSON.stringify(args.inputs)}): add it to setupMocks({ invokes })`,
          );
        }
        return handler(args.inputs);
      },
    },
    project,
    stack,
    false,
  );
  recordResourceOptions();
  return recorder;
}

/** Options of the registration in progress; the mock monitor passes only inputs to `newResource`. */
let registeringOptions = { protect: false, retainOnDelete: false };

interface RegisterResourceRequest {
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
}

/** Wraps the mock monitor so `newResource` (called synchronously by it) sees each request's options. */
function recordResourceOptions(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterResourceRequest, callback: unknown): Promise<void>;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    registeringOptions = {
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
    };
    return register(req, callback);
  };
}

/** Resolves a Pulumi output (or plain value) in a test. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Waits until every resource registration issued so far has reached the mocks. */
export async function settle(): Promise<void> {
  // Registrations chain through several promise turns; a few macrotask turns drain them.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
