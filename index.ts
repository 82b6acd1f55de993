/**
 * The python-package-index program: validates the stack's configuration, then declares the
 * edge index (credentials table, edge function, bucket + CDN) and the services around it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CiAccess } from "./components/ciAccess";
import { CodeArtifactNetwork } from "./components/codeArtifactNetwork";
import { CodeArtifactRepository } from "./components/codeArtifactRepository";
import { CredentialsTable } from "./components/credentialsTable";
import { EdgeFunction } from "./components/edgeFunction";
import { PackageIndex } from "./components/packageIndex";
import { PermissionsBoundary } from "./components/permissionsBoundary";
import { STACK_TAG_KEY } from "./components/policies/stackScope";
import { checkStackName } from "./components/validation";
import { loadStackConfig } from "./config";
import { CLOUDFRONT_REGION } from "./domain/cloudfront";
import { viewerRequestHandlerFactory } from "./edge/handler";
import { fallThroughEnabled, originResponseHandlerFactory } from "./edge/originResponse";
import { fallThroughReadStatements, indexBucketsArn } from "./components/policies/fallThroughRead";
import { LEGACY_UPLOAD_PATH, UPLOAD_BODY_LIMIT_BYTES } from "./domain/upload";
import { mintTokenTableStatement } from "./components/policies/upload";
import { uploadBodySignerFactory } from "./edge/uploadBodySigner";
import { UPLOAD_FUNCTION_PACKAGES, uploadFunctionHandlerFactory } from "./upload/lambda";

// Everything is validated before the first resource: an invalid stack registers nothing.
const stack = pulumi.getStack();
checkStackName(stack);
const config = loadStackConfig();
/**
 * Physical names start with `ppi-<stack>-`, so the deployer role can be scoped by prefix; every
 * taggable resource carries `Stack=<stack>`, so it can be scoped by tag where names cannot.
 */
const namePrefix = `ppi-${stack}`;
const { core, edgeIndex } = config;

// One explicit provider: the region is the stack's, never the ambient one. Resources that must
// live in us-east-1 (edge function, certificate, web ACL, credentials table) say so themselves.
const provider = new aws.Provider("aws", {
  region: core.region,
  defaultTags: { tags: { Project: "python-package-index", [STACK_TAG_KEY]: stack, ManagedBy: "pulumi" } },
});
const providers = { aws: provider };

// ---- edge index -------------------------------------------------------------------------------
// `protect` (prod) guards the only copies of state: the table holds every customer key, the
// bucket every published package; neither can be recreated by a redeploy.
const credentials = new CredentialsTable(
  "credentials",
  { namePrefix, replicaRegions: edgeIndex.credentialsReplicaRegions, protect: core.protect },
  { providers },
);

// Every role the deployer creates must carry this boundary (docs/iam-and-oidc.md).
const boundary = new PermissionsBoundary("boundary", { namePrefix }, { providers });

// Edge replicas log in the region that served the request: keep retention where users are.
const edgeLogRegions = [...new Set([CLOUDFRONT_REGION, core.region, ...edgeIndex.credentialsReplicaRegions])];

const edgeFunction = new EdgeFunction(
  "viewer-request",
  {
    functionName: `${namePrefix}-viewer-request`,
    description: "Authenticates index requests and rewrites them into the tenant's prefix",
    roleDescription: "Lambda@Edge viewer-request function of the package index",
    permissionsBoundaryArn: boundary.arn,
    handlerFactory: viewerRequestHandlerFactory,
    handlerConfig: {
      tableName: credentials.tableName,
      tableRegion: credentials.region,
      replicaRegions: credentials.replicaRegions,
      realm: edgeIndex.authRealm,
      keyCacheSeconds: edgeIndex.keyCacheSeconds,
      unknownKeyCacheSeconds: edgeIndex.unknownKeyCacheSeconds,
      branchChannels: edgeIndex.branchChannels,
    },
    // Look keys up in the table (and its replicas), nothing else; the function adds its own log writes.
    policyStatements: [credentials.lookupStatement],
    logRegions: edgeLogRegions,
  },
  { providers },
);

// Upstream fall-through (docs/edge-index.md), and with the upload endpoint the replacement of S3's
// 400/403 bodies on pages and files: deployed when either is on.
const fallThrough = {
  upstreamIndex: edgeIndex.upstreamIndex,
  tenantUpstreamIndexes: edgeIndex.tenantUpstreamIndexes,
};
const upload = edgeIndex.upload;
const originResponse =
  fallThroughEnabled(fallThrough) || upload
    ? new EdgeFunction(
        "origin-response",
        {
          functionName: `${namePrefix}-origin-response`,
          description:
            "Redirects project pages a tenant does not have (nor has reserved) to the upstream index; hides S3's 400/403 bodies",
          roleDescription: "Lambda@Edge origin-response function of the package index",
          permissionsBoundaryArn: boundary.arn,
          handlerFactory: originResponseHandlerFactory,
          handlerConfig: { bucketRegion: core.region, ...fallThrough },
          // The bucket's name is generated from this prefix; the function reads it from the request's
          // origin. Without fall-through it reads nothing.
          policyStatements: fallThroughEnabled(fallThrough)
            ? fallThroughReadStatements(indexBucketsArn(namePrefix))
            : [],
          logRegions: edgeLogRegions,
        },
        { providers },
      )
    : undefined;

// The upload endpoint (docs/edge-index.md#uploads): the body signer at the edge, the function regional.
const uploadBodySigner = upload
  ? new EdgeFunction(
      "upload-signer",
      {
        functionName: `${namePrefix}-upload-signer`,
        description:
          "Sets x-amz-content-sha256 of upload bodies so CloudFront can sign them for the upload function",
        roleDescription: "Lambda@Edge origin-request function of the upload endpoint",
        permissionsBoundaryArn: boundary.arn,
        handlerFactory: uploadBodySignerFactory,
        handlerConfig: {},
        // It reads nothing; it only writes its logs.
        policyStatements: [],
        logRegions: edgeLogRegions,
      },
      { providers },
    )
  : undefined;

const packageIndex = new PackageIndex(
  "index",
  {
    namePrefix,
    viewerRequestFunctionArn: edgeFunction.qualifiedArn,
    originResponseFunctionArn: originResponse?.qualifiedArn,
    branchChannels: edgeIndex.branchChannels,
    branchChannelExpirationDays: edgeIndex.branchChannelExpirationDays,
    noncurrentVersionExpirationDays: edgeIndex.noncurrentVersionExpirationDays,
    pageCacheTtlSeconds: edgeIndex.pageCacheTtlSeconds,
    priceClass: edgeIndex.priceClass,
    customDomain: edgeIndex.customDomain,
    accessLogs: edgeIndex.accessLogs,
    accessLogExpirationDays: edgeIndex.accessLogExpirationDays,
    wafRateLimit: edgeIndex.wafRateLimit,
    protect: core.protect,
    ...(upload && uploadBodySigner
      ? {
          upload: {
            function: {
              functionName: `${namePrefix}-upload`,
              description: "Answers twine, uv and poetry uploads at /legacy/ behind the distribution",
              handlerFactory: uploadFunctionHandlerFactory,
              // PackageIndex adds the bucket's name and the trusted-publishing audience; nothing here is a secret.
              handlerConfig: {
                realm: edgeIndex.authRealm,
                bodyLimitBytes: UPLOAD_BODY_LIMIT_BYTES,
                bucketRegion: core.region,
                tableName: credentials.tableName,
                tableRegion: credentials.region,
                replicaRegions: credentials.replicaRegions,
                keyCacheSeconds: edgeIndex.keyCacheSeconds,
                unknownKeyCacheSeconds: edgeIndex.unknownKeyCacheSeconds,
              },
              // Look keys and trusted publishers up, write minted keys and used tokens (in the region
              // the lookup reads: the table or a replica); PackageIndex adds publishing into its bucket,
              // the function its log writes.
              policyStatements: [
                credentials.lookupStatement,
                pulumi.all(credentials.arns).apply(mintTokenTableStatement),
              ],
              permissionsBoundaryArn: boundary.arn,
              memorySize: upload.memorySize,
              timeout: upload.timeout,
              bundledPackages: [...UPLOAD_FUNCTION_PACKAGES],
            },
            bodySignerFunctionArn: uploadBodySigner.qualifiedArn,
          },
        }
      : {}),
  },
  { providers },
);

// ---- CodeArtifact ------------------------------------------------------------------------------
const codeArtifactConfig = config.codeArtifact;
const codeArtifact = codeArtifactConfig
  ? new CodeArtifactRepository(
      "codeartifact",
      {
        namePrefix,
        region: core.region,
        repositoryName: codeArtifactConfig.repositoryName,
        externalConnection: codeArtifactConfig.externalConnection,
        kmsKeyArn: codeArtifactConfig.kmsKeyArn,
        readAccountIds: codeArtifactConfig.readAccountIds,
        readOrganizationId: codeArtifactConfig.readOrganizationId,
        protect: core.protect,
      },
      { providers },
    )
  : undefined;
const codeArtifactNetworkConfig = codeArtifactConfig?.network;
const codeArtifactNetwork =
  codeArtifactNetworkConfig && codeArtifactNetworkConfig.mode !== "none"
    ? new CodeArtifactNetwork(
        "codeartifact-network",
        {
          namePrefix,
          region: core.region,
          ...(codeArtifactNetworkConfig.mode === "existing"
            ? {
                existingVpc: {
                  vpcId: codeArtifactNetworkConfig.vpcId,
                  subnetIds: [...codeArtifactNetworkConfig.subnetIds],
                },
              }
            : { newVpc: { cidrBlock: codeArtifactNetworkConfig.cidrBlock } }),
        },
        { providers },
      )
    : undefined;

// ---- GitHub OIDC and CI roles -----------------------------------------------------------------
const githubConfig = config.github;
const ci = githubConfig
  ? new CiAccess(
      "ci",
      {
        namePrefix,
        project: pulumi.getProject(),
        stack,
        oidcProvider: githubConfig.oidcProvider,
        infraRepository: githubConfig.infraRepository,
        deployerTrust: githubConfig.deployerTrust,
        pulumiOrganization: githubConfig.pulumiOrganization,
        packageRepositories: githubConfig.packageRepositories,
        publisherTrust: githubConfig.publisherTrust,
        publisherTenants: githubConfig.publisherTenants,
        bucketName: packageIndex.bucketName,
        cloudFrontArns: packageIndex.cloudFrontArns,
        publisherPolicyArns: codeArtifact ? [codeArtifact.publisherPolicyArn] : [],
        scope: {
          stackTag: stack,
          region: core.region,
          replicaRegions: edgeIndex.credentialsReplicaRegions,
          customDomain: edgeIndex.customDomain,
        },
      },
      { providers },
    )
  : undefined;
// GitHub repository settings (variables, environments) are not managed here: the admin-run
// `deployments/` program writes them from this stack's outputs, so this stack needs no GitHub token
// and holds no secret that a pull-request preview could read.

// ---- outputs ----------------------------------------------------------------------------------
/** What goes into `pip install --index-url`, with the key as `https://<public>:<secret>@…`. */
export const indexUrl = packageIndex.indexUrl;
export const bucketName = packageIndex.bucketName;
/** Region of the bucket; the credentials table is in `credentialsTableRegion`. */
export const region = core.region;
export const credentialsTableName = credentials.tableName;
export const credentialsTableRegion = credentials.region;
export const distributionId = packageIndex.distributionId;
export const edgeFunctionQualifiedArn = edgeFunction.qualifiedArn;
/** The origin-response function's version (fall-through or the upload endpoint). */
export const originResponseFunctionQualifiedArn = originResponse?.qualifiedArn;
/** What twine's `--repository-url` and uv's `--publish-url` take (stacks with uploadEndpoint). */
export const uploadUrl = packageIndex.uploadFunction
  ? pulumi.interpolate`https://${packageIndex.host}${LEGACY_UPLOAD_PATH}`
  : undefined;
export const uploadFunctionName = packageIndex.uploadFunction?.functionName;
// CodeArtifact (undefined, so not exported, when the stack does not enable it).
export const codeArtifactDomain = codeArtifact?.domainName;
export const codeArtifactDomainOwner = codeArtifact?.domainOwner;
export const codeArtifactRepository = codeArtifact?.repositoryName;
export const codeArtifactPipEndpoint = codeArtifact?.pipEndpoint;
/** Ready-to-paste login and publish instructions: `pulumi stack output codeArtifactSetup`. */
export const codeArtifactSetup = codeArtifact?.setupInstructions;
export const codeArtifactReaderPolicyArn = codeArtifact?.readerPolicyArn;
export const codeArtifactPublisherPolicyArn = codeArtifact?.publisherPolicyArn;
/** Where CI workloads reach CodeArtifact privately (stacks with codeArtifactNetwork set). */
export const codeArtifactVpcId = codeArtifactNetwork?.vpcId;
export const codeArtifactSubnetIds = codeArtifactNetwork?.subnetIds;
// GitHub OIDC and CI roles (stacks with githubOidc set).
export const githubOidcProviderArn = ci?.githubOidcProviderArn;
export const deployerRoleArn = ci?.deployerRoleArn;
export const previewerRoleArn = ci?.previewerRoleArn;
export const publisherRoleArn = ci?.publisherRoleArn;
/** Repositories whose CI publishes; `deployments/` gives each an environment `<stack>` with the variables. */
export const packageRepositories = githubConfig?.packageRepositories;
