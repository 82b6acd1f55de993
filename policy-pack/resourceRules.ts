/**
 * The bucket, CDN and edge rules of the index, one named rule per concern (cdk-nag style), as plain
 * functions of a resource's properties so that they are tested without the Pulumi engine and run
 * unchanged by CrossGuard (`policies.ts`). A rule returns its violations, each a sentence saying
 * what is wrong and what to set instead.
 */
import { asList } from "../components/policies/document";
import { CLOUDFRONT_REGION, VIEWER_PROTOCOL_POLICY } from "../domain/cloudfront";
import { StackResource, wellFormedPolicyDocument } from "./iam/stackPolicies";

export interface ResourceRule {
  /** CrossGuard's policy name (kebab-case, unique in the pack). */
  readonly name: string;
  readonly description: string;
  /** Pulumi type tokens the rule inspects. */
  readonly types: readonly string[];
  check(props: Readonly<Record<string, unknown>>): string[];
}

export interface StackRuleContext {
  readonly stack: string;
  /** Stacks whose stateful resources must carry Pulumi's `protect`. */
  readonly protectedStacks: readonly string[];
}

export interface StackViolation {
  readonly message: string;
  readonly urn?: string;
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  check(
    resources: readonly StackResource[],
    context: StackRuleContext,
  ): StackViolation[] | Promise<StackViolation[]>;
}

/** Security policies CloudFront accepts with a custom certificate at TLS 1.2 or newer. */
export const MINIMUM_TLS_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] as const;
/** A numbered version (never `$LATEST`) of a function in us-east-1. */
/** The origins this program reaches through an origin access control: the bucket and the upload function URL. */
const OAC_ORIGIN_TYPES: readonly string[] = ["s3", "lambda"];
const EDGE_VERSION_ARN = /^arn:aws[a-z-]*:lambda:us-east-1:\d{12}:function:[A-Za-z0-9_-]+:\d+$/;

type Props = Readonly<Record<string, unknown>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const cacheBehaviours = (props: Props): Loose[] => [
  ...(props.defaultCacheBehavior ? [props.defaultCacheBehavior] : []),
  ...((props.orderedCacheBehaviors as Loose[] | undefined) ?? []),
];
const describeBehaviour = (behaviour: Loose) =>
  behaviour.pathPattern ? `behaviour ${behaviour.pathPattern}` : "the default behaviour";

/** A CloudFront distribution's ARN (the `AWS:SourceArn` CloudFront signs origin requests with). */
const DISTRIBUTION_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/;

export const RESOURCE_RULES: readonly ResourceRule[] = [
  {
    name: "lambda-function-url-iam-auth",
    description:
      "Every Lambda function URL takes only SigV4-signed requests (AWS_IAM): with NONE anyone on the internet can call it around CloudFront.",
    types: ["aws:lambda/functionUrl:FunctionUrl"],
    check: (props) =>
      props.authorizationType === "AWS_IAM"
        ? []
        : [
            `authorizationType is ${JSON.stringify(props.authorizationType)}; set it to "AWS_IAM" and admit the distribution in the function's resource policy.`,
          ],
  },
  {
    name: "lambda-permission-cloudfront-source",
    description:
      "A Lambda permission for CloudFront names the one distribution (sourceArn) and no other principal is admitted: the function is reachable through that distribution alone.",
    types: ["aws:lambda/permission:Permission"],
    check: (props) => [
      ...(props.principal !== "cloudfront.amazonaws.com"
        ? [
            `principal is ${JSON.stringify(props.principal)}; only "cloudfront.amazonaws.com" may invoke the stack's functions.`,
          ]
        : []),
      ...(typeof props.sourceArn !== "string" || !DISTRIBUTION_ARN.test(props.sourceArn)
        ? [
            `sourceArn is ${JSON.stringify(props.sourceArn)}; set it to the distribution's ARN, or every distribution (in any account) could invoke the function.`,
          ]
        : []),
    ],
  },
  {
    name: "s3-public-access-blocked",
    description: "Every bucket's public-access block sets all four blocks.",
    types: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    check: (props) =>
      ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
        .filter((key) => props[key] !== true)
        .map((key) => `${key} is ${JSON.stringify(props[key])}; set it to true.`),
  },
  {
    name: "s3-tls-only",
    description: "Every bucket policy denies all S3 actions over plain HTTP (aws:SecureTransport false).",
    types: ["aws:s3/bucketPolicy:BucketPolicy"],
    check: (props) => {
      const document = wellFormedPolicyDocument(props.policy);
      if (!document) return [];
      const denies = document.Statement.some(
        (s) =>
          s.Effect === "Deny" &&
          s.Principal === "*" &&
          asList(s.Action).includes("s3:*") &&
          String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
      );
      return denies
        ? []
        : ['the policy has no Deny of "s3:*" for "*" when aws:SecureTransport is false; add one.'];
    },
  },
  {
    name: "cloudfront-oac-signs-always",
    description:
      "Origin access controls are for S3 (the bucket) or Lambda (the upload function's URL), sign every request (always) with SigV4.",
    types: ["aws:cloudfront/originAccessControl:OriginAccessControl"],
    check: (props) => {
      const expected = { signingBehavior: "always", signingProtocol: "sigv4" };
      return [
        ...(!OAC_ORIGIN_TYPES.includes(props.originAccessControlOriginType as string)
          ? [
              `originAccessControlOriginType is ${JSON.stringify(props.originAccessControlOriginType)}; set it to ${OAC_ORIGIN_TYPES.map((t) => `"${t}"`).join(" or ")}.`,
            ]
          : []),
        ...Object.entries(expected)
          .filter(([key, value]) => props[key] !== value)
          .map(([key, value]) => `${key} is ${JSON.stringify(props[key])}; set it to "${value}".`),
      ];
    },
  },
  {
    name: "cloudfront-origins-use-oac",
    description:
      "Every origin is reached through an origin access control, never a legacy origin access identity.",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props) =>
      ((props.origins as Loose[] | undefined) ?? []).flatMap((origin) => [
        ...(origin.s3OriginConfig?.originAccessIdentity
          ? [`origin ${origin.originId} uses a legacy origin access identity; use originAccessControlId.`]
          : []),
        ...(!origin.originAccessControlId
          ? [`origin ${origin.originId} has no originAccessControlId; the bucket would need to be public.`]
          : []),
      ]),
  },
  {
    name: "cloudfront-https-only",
    description: `Every cache behaviour accepts HTTPS only (${VIEWER_PROTOCOL_POLICY}): a redirect from HTTP lets credentials travel in clear.`,
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props) =>
      cacheBehaviours(props)
        .filter((behaviour) => behaviour.viewerProtocolPolicy !== VIEWER_PROTOCOL_POLICY)
        .map(
          (behaviour) =>
            `${describeBehaviour(behaviour)} has viewerProtocolPolicy ${JSON.stringify(behaviour.viewerProtocolPolicy)}; use ${JSON.stringify(VIEWER_PROTOCOL_POLICY)}.`,
        ),
  },
  {
    name: "cloudfront-tls-minimum",
    description: `A custom certificate is served with ${MINIMUM_TLS_POLICIES[0]} or newer, SNI only.`,
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props) => {
      const certificate = props.viewerCertificate as Loose;
      if (!certificate?.acmCertificateArn) return [];
      return [
        ...(!(MINIMUM_TLS_POLICIES as readonly string[]).includes(certificate.minimumProtocolVersion)
          ? [
              `minimumProtocolVersion is ${JSON.stringify(certificate.minimumProtocolVersion)}; use ${MINIMUM_TLS_POLICIES[0]} or newer.`,
            ]
          : []),
        ...(certificate.sslSupportMethod !== "sni-only"
          ? [`sslSupportMethod is ${JSON.stringify(certificate.sslSupportMethod)}; use "sni-only".`]
          : []),
        ...(!String(certificate.acmCertificateArn).includes(`:acm:${CLOUDFRONT_REGION}:`)
          ? [
              `the certificate ${certificate.acmCertificateArn} is not in ${CLOUDFRONT_REGION}, where CloudFront reads certificates.`,
            ]
          : []),
      ];
    },
  },
  {
    name: "cloudfront-edge-function-version",
    description:
      "Every Lambda@Edge association names a numbered version of a function in us-east-1, never $LATEST.",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props) =>
      cacheBehaviours(props).flatMap((behaviour) =>
        ((behaviour.lambdaFunctionAssociations as Loose[] | undefined) ?? [])
          .filter(
            (association) =>
              association.lambdaArn !== undefined && !EDGE_VERSION_ARN.test(association.lambdaArn),
          )
          .map(
            (association) =>
              `${describeBehaviour(behaviour)}: ${association.lambdaArn} is not a numbered version in ${CLOUDFRONT_REGION}; use the function's qualifiedArn with publish: true.`,
          ),
      ),
  },
  {
    name: "iam-no-star-on-star",
    description: "No identity policy allows every action on every resource, or allows with NotAction.",
    types: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"],
    check: (props) => {
      const document = wellFormedPolicyDocument(props.policy);
      return (document?.Statement ?? [])
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => {
          const label = s.Sid ?? "a statement";
          if (s.NotAction !== undefined) return [`${label} allows with NotAction; list the actions.`];
          const everyAction = asList(s.Action).some((a) => a === "*" || a === "*:*");
          return everyAction && asList(s.Resource).includes("*") ? [`${label} allows * on *.`] : [];
        });
    },
  },
];

const FUNCTION = "aws:lambda/function:Function";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
/** The types holding state no redeploy recreates: keys, packages, their encryption. */
const STATEFUL_TYPES = [
  "aws:dynamodb/table:Table",
  "aws:codeartifact/domain:Domain",
  "aws:codeartifact/repository:Repository",
  "aws:kms/key:Key",
];

/** Names of the functions the stack's distributions run at the edge. */
function edgeFunctionNames(resources: readonly StackResource[]): Set<string> {
  return new Set(
    resources
      .filter((r) => r.type === DISTRIBUTION)
      .flatMap((r) => cacheBehaviours(r.props))
      .flatMap((behaviour) => (behaviour.lambdaFunctionAssociations as Loose[] | undefined) ?? [])
      .map((association) => /:function:([^:]+)/.exec(String(association.lambdaArn ?? ""))?.[1])
      .filter((name): name is string => name !== undefined),
  );
}

export const STACK_RULES: readonly StackRule[] = [
  {
    name: "edge-function-published-in-us-east-1",
    description:
      "A function a distribution runs at the edge lives in us-east-1 and publishes numbered versions.",
    check: (resources) => {
      const names = edgeFunctionNames(resources);
      return resources
        .filter((r) => r.type === FUNCTION && names.has(String(r.props.name)))
        .flatMap((fn) => [
          ...(fn.props.region !== CLOUDFRONT_REGION
            ? [
                {
                  urn: fn.urn,
                  message: `${fn.props.name} is in ${JSON.stringify(fn.props.region)}; Lambda@Edge functions live in ${CLOUDFRONT_REGION}.`,
                },
              ]
            : []),
          ...(fn.props.publish !== true
            ? [{ urn: fn.urn, message: `${fn.props.name} does not publish versions; set publish: true.` }]
            : []),
        ]);
    },
  },
  {
    name: "s3-buckets-fully-private",
    description:
      "Every bucket has a public-access block and a bucket policy (both checked by their own rules).",
    check: (resources) => {
      const buckets = resources.filter((r) => r.type === "aws:s3/bucket:Bucket");
      const covered = (type: string) =>
        new Set(resources.filter((r) => r.type === type).map((r) => String(r.props.bucket)));
      const blocks = covered("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      const policies = covered("aws:s3/bucketPolicy:BucketPolicy");
      const names = (bucket: StackResource) => [bucket.props.id, bucket.props.bucket].map(String);
      return buckets.flatMap((bucket) => [
        ...(!names(bucket).some((n) => blocks.has(n))
          ? [{ urn: bucket.urn, message: `bucket ${bucket.name} has no public-access block.` }]
          : []),
        ...(!names(bucket).some((n) => policies.has(n))
          ? [{ urn: bucket.urn, message: `bucket ${bucket.name} has no bucket policy denying plain HTTP.` }]
          : []),
      ]);
    },
  },
  {
    name: "stateful-resources-protected",
    description:
      "In a protected stack (prod), the credentials table, the content bucket and CodeArtifact's domain, repositories and key carry Pulumi's protect.",
    check: (resources, { stack, protectedStacks }) => {
      if (!protectedStacks.includes(stack)) return [];
      // The content bucket is the one a distribution reads from.
      const origins = new Set(
        resources
          .filter((r) => r.type === DISTRIBUTION)
          .flatMap((r) => ((r.props.origins as Loose[] | undefined) ?? []).map((o) => String(o.domainName))),
      );
      const content = (r: StackResource) =>
        r.type === "aws:s3/bucket:Bucket" && origins.has(String(r.props.bucketRegionalDomainName));
      return resources
        .filter((r) => STATEFUL_TYPES.includes(r.type) || content(r))
        .filter((r) => r.protect !== true)
        .map((r) => ({
          urn: r.urn,
          message: `${r.type} ${r.name} is not protected in stack ${stack}; set protect: true.`,
        }));
    },
  },
];
