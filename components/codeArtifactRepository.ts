import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID_PATTERN, AWS_REGION_PATTERN, ORGANIZATION_ID_PATTERN } from "../domain/aws";
import { CODEARTIFACT_REPOSITORY_PATTERN, PYPI_STORE_REPOSITORY } from "../domain/codeArtifact";
import { PolicyDocument, PolicyStatement, policyDocument } from "./policies/document";

/** The longest CodeArtifact authorization token (12 h), used in the setup instructions. */
export const MAX_TOKEN_SECONDS = 43200;
/** CodeArtifact domain names: 2-50 lowercase letters, digits and dashes, starting with a letter. */
const DOMAIN_NAME_PATTERN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;

export interface CodeArtifactRepositoryArgs {
  /**
   * Physical name prefix such as `ppi-prod`: the domain takes this name (unique per account and
   * region) and the IAM policies are `<prefix>-codeartifact-reader|publisher`. Plain: it is part
   * of names and of the endpoint host.
   */
  readonly namePrefix: string;
  /**
   * Region of the domain and repositories. Plain: it is spelled into the endpoint host name and the
   * KMS `kms:ViaService` condition, so it must be known when the component is built.
   */
  readonly region: string;
  /** The team repository that clients use; `pypi-store` is its upstream. Plain: part of ARNs and URLs. */
  readonly repositoryName: string;
  /**
   * Connect `pypi-store` to public PyPI (`public:pypi`). Off freezes the store: what it has already
   * cached stays installable, nothing new is fetched.
   * @default true
   */
  readonly externalConnection?: boolean;
  /**
   * An existing KMS key (in `region`) for the domain. Unset creates a customer-managed key with
   * yearly rotation whose policy allows use only through CodeArtifact in this account.
   * @default a new key
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * Other AWS accounts whose principals may read the team repository (they still need the reader
   * policy, or equivalent, in their own account). Plain: it decides which policies exist.
   * @default []
   */
  readonly readAccountIds?: readonly string[];
  /**
   * An AWS Organizations id (`o-...`) whose principals may read the team repository. Plain: it
   * decides which policies exist.
   * @default none
   */
  readonly readOrganizationId?: string;
  /**
   * Protect the domain, both repositories and the created key from deletion (prod).
   * @default false
   */
  readonly protect?: boolean;
}

/** The ARNs a policy is scoped to. */
export interface CodeArtifactArns {
  readonly domainArn: string;
  /** Team repository first, then `pypi-store`. */
  readonly repositoryArns: readonly string[];
  /** Packages of the team repository: `arn:...:package/<domain>/<repo>/pypi/*`. */
  readonly packagesArn: string;
}

/** Who may read the team repository from outside this account. */
export interface ReadSharing {
  readonly partition: string;
  readonly accountIds: readonly string[];
  readonly organizationId?: string;
}

/**
 * A CodeArtifact domain `<namePrefix>` encrypted with a customer-managed key, `pypi-store` proxying
 * public PyPI, the team repository with `pypi-store` upstream, read sharing with other accounts or an
 * organization, and the reader/publisher managed policies scoped to exactly these resources.
 */
export class CodeArtifactRepository extends pulumi.ComponentResource {
  readonly domainName: pulumi.Output<string>;
  /** Account that owns the domain (the deploying account); part of the endpoint host. */
  readonly domainOwner: pulumi.Output<string>;
  readonly domainArn: pulumi.Output<string>;
  readonly repositoryName: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;
  readonly storeRepositoryArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** `https://<domain>-<owner>.d.codeartifact.<region>.amazonaws.com/pypi/<repo>/simple/` */
  readonly pipEndpoint: pulumi.Output<string>;
  readonly readerPolicyArn: pulumi.Output<string>;
  /** Attach to the CI roles that publish (the stack's publisher role). */
  readonly publisherPolicyArn: pulumi.Output<string>;
  /** Ready-to-paste login and publish instructions for pip, uv, poetry and twine. */
  readonly setupInstructions: pulumi.Output<string>;

  constructor(name: string, args: CodeArtifactRepositoryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validateArgs(args);
    super("python-package-index:codeartifact:CodeArtifactRepository", name, {}, opts);
    const { namePrefix, region, repositoryName } = args;
    const protect = args.protect ?? false;
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = caller.arn.apply(partitionOf);

    const kmsKeyArn = args.kmsKeyArn
      ? pulumi.output(args.kmsKeyArn)
      : this.createKey(name, namePrefix, region, caller.accountId, partition, protect);

    const domain = new aws.codeartifact.Domain(
      `${name}-domain`,
      { domain: namePrefix, encryptionKey: kmsKeyArn, region },
      { parent: this, protect },
    );
    const store = new aws.codeartifact.Repository(
      `${name}-pypi-store`,
      {
        repository: PYPI_STORE_REPOSITORY,
        description: `Cache of public PyPI for ${namePrefix}; upstream of ${repositoryName}.`,
        domain: domain.domain,
        domainOwner: domain.owner,
        region,
        ...((args.externalConnection ?? true)
          ? { externalConnections: { externalConnectionName: "public:pypi" } }
          : {}),
      },
      { parent: this, protect },
    );
    const repository = new aws.codeartifact.Repository(
      `${name}-repository`,
      {
        repository: repositoryName,
        description: `Python packages of ${namePrefix}; public packages come through ${PYPI_STORE_REPOSITORY}.`,
        domain: domain.domain,
        domainOwner: domain.owner,
        region,
        upstreams: [{ repositoryName: store.repository }],
      },
      { parent: this, protect },
    );

    const arns = pulumi
      .all([partition, domain.owner, domain.arn, repository.arn, store.arn])
      .apply(([part, owner, domainArn, repositoryArn, storeArn]) => ({
        domainArn,
        repositoryArns: [repositoryArn, storeArn],
        packagesArn: `arn:${part}:codeartifact:${region}:${owner}:package/${namePrefix}/${repositoryName}/pypi/*`,
      }));

    const readAccountIds = args.readAccountIds ?? [];
    if (readAccountIds.length > 0 || args.readOrganizationId) {
      const sharing = partition.apply((part): ReadSharing => ({
        partition: part,
        accountIds: readAccountIds,
        ...(args.readOrganizationId ? { organizationId: args.readOrganizationId } : {}),
      }));
      this.shareRead(name, sharing, domain, { repository, [PYPI_STORE_REPOSITORY]: store });
    }

    const reader = new aws.iam.Policy(
      `${name}-reader`,
      {
        name: `${namePrefix}-codeartifact-reader`,
        description: `Install from CodeArtifact ${namePrefix}/${repositoryName} (token + read).`,
        policy: arns.apply((a) => JSON.stringify(readerPolicy(a))),
      },
      { parent: this },
    );
    const publisher = new aws.iam.Policy(
      `${name}-publisher`,
      {
        name: `${namePrefix}-codeartifact-publisher`,
        description: `Publish to and install from CodeArtifact ${namePrefix}/${repositoryName}.`,
        policy: arns.apply((a) => JSON.stringify(publisherPolicy(a))),
      },
      { parent: this },
    );

    const endpoint: pulumi.Output<CodeArtifactEndpoint> = pulumi.output({
      domain: domain.domain,
      owner: domain.owner,
      region,
      repository: repository.repository,
    });
    this.domainName = domain.domain;
    this.domainOwner = domain.owner;
    this.domainArn = domain.arn;
    this.repositoryName = repository.repository;
    this.repositoryArn = repository.arn;
    this.storeRepositoryArn = store.arn;
    this.kmsKeyArn = kmsKeyArn;
    this.pipEndpoint = endpoint.apply((e) => codeArtifactUrls(e).index);
    this.readerPolicyArn = reader.arn;
    this.publisherPolicyArn = publisher.arn;
    this.setupInstructions = endpoint.apply(codeArtifactSetupText);
    this.registerOutputs({
      domainName: this.domainName,
      domainOwner: this.domainOwner,
      domainArn: this.domainArn,
      repositoryName: this.repositoryName,
      repositoryArn: this.repositoryArn,
      storeRepositoryArn: this.storeRepositoryArn,
      kmsKeyArn: this.kmsKeyArn,
      pipEndpoint: this.pipEndpoint,
      readerPolicyArn: this.readerPolicyArn,
      publisherPolicyArn: this.publisherPolicyArn,
      setupInstructions: this.setupInstructions,
    });
  }

  /** Domain policy (token) and repository policies (read) for principals outside this account. */
  private shareRead(
    name: string,
    sharing: pulumi.Output<ReadSharing>,
    domain: aws.codeartifact.Domain,
    repositories: Record<string, aws.codeartifact.Repository>,
  ): void {
    new aws.codeartifact.DomainPermissions(
      `${name}-domain-policy`,
      {
        domain: domain.domain,
        domainOwner: domain.owner,
        region: domain.region,
        policyDocument: pulumi
          .all([sharing, domain.arn])
          .apply(([s, arn]) => JSON.stringify(domainReadPolicy(s, arn))),
      },
      { parent: this },
    );
    for (const [suffix, repository] of Object.entries(repositories)) {
      new aws.codeartifact.RepositoryPermissionsPolicy(
        `${name}-${suffix}-policy`,
        {
          domain: domain.domain,
          domainOwner: domain.owner,
          repository: repository.repository,
          region: repository.region,
          policyDocument: pulumi
            .all([sharing, repository.arn])
            .apply(([s, arn]) => JSON.stringify(repositoryReadPolicy(s, arn))),
        },
        { parent: this },
      );
    }
  }

  private createKey(
    name: string,
    namePrefix: string,
    region: string,
    accountId: pulumi.Output<string>,
    partition: pulumi.Output<string>,
    protect: boolean,
  ): pulumi.Output<string> {
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the assets of CodeArtifact domain ${namePrefix}.`,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        region,
        policy: pulumi
          .all([partition, accountId])
          .apply(([part, account]) => JSON.stringify(domainKeyPolicy(part, account, region))),
      },
      { parent: this, protect },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${namePrefix}-codeartifact`, targetKeyId: key.keyId, region },
      { parent: this },
    );
    return key.arn;
  }
}

function validateArgs(args: CodeArtifactRepositoryArgs): void {
  const problems: string[] = [];
  if (!DOMAIN_NAME_PATTERN.test(args.namePrefix)) {
    problems.push(
      `namePrefix ${JSON.stringify(args.namePrefix)} is not a valid CodeArtifact domain name; use 2-50 lowercase letters, digits or dashes starting with a letter, such as "ppi-dev".`,
    );
  }
  if (!AWS_REGION_PATTERN.test(args.region)) {
    problems.push(
      `region ${JSON.stringify(args.region)} is not an AWS region name; use one such as "eu-west-1".`,
    );
  }
  if (!CODEARTIFACT_REPOSITORY_PATTERN.test(args.repositoryName)) {
    problems.push(
      `repositoryName ${JSON.stringify(args.repositoryName)} is invalid; use 2-100 letters, digits, dots, dashes or underscores starting with a letter or digit, other than "${PYPI_STORE_REPOSITORY}".`,
    );
  }
  for (const id of args.readAccountIds ?? []) {
    if (!ACCOUNT_ID_PATTERN.test(id))
      problems.push(`readAccountIds entry ${JSON.stringify(id)} is not a 12-digit AWS account id.`);
  }
  if (args.readOrganizationId !== undefined && !ORGANIZATION_ID_PATTERN.test(args.readOrganizationId)) {
    problems.push(
      `readOrganizationId ${JSON.stringify(args.readOrganizationId)} is not an AWS Organizations id such as "o-a1b2c3d4e5".`,
    );
  }
  if (problems.length > 0) throw new Error(`CodeArtifactRepository: ${problems.join(" ")}`);
}

/** `aws` from `arn:aws:sts::123456789012:assumed-role/...` (or `aws-us-gov`, `aws-cn`). */
function partitionOf(arn: string): string {
  return arn.split(":")[1];
}

/**
 * Key policy: the account administers the key through IAM (the default key policy; without it the
 * key would be unmanageable), and principals of this account may use it only through CodeArtifact
 * in this region — which lets the reader/publisher policies work without any KMS permission.
 */
export function domainKeyPolicy(partition: string, accountId: string, region: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: ["kms:*"],
      Resource: "*",
    },
    {
      Sid: "UseOnlyThroughCodeArtifact",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:CreateGrant",
        "kms:DescribeKey",
      ],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": accountId,
          "kms:ViaService": `codeartifact.${region}.amazonaws.com`,
        },
      },
    },
  ]);
}

/** Statements every CodeArtifact client needs: a token for this domain and read access. */
function readStatements(arns: CodeArtifactArns): PolicyStatement[] {
  return [
    {
      Sid: "AuthorizationTokenForThisDomain",
      Effect: "Allow",
      Action: ["codeartifact:GetAuthorizationToken"],
      Resource: arns.domainArn,
    },
    {
      Sid: "ReadRepositories",
      Effect: "Allow",
      Action: ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
      Resource: [...arns.repositoryArns],
    },
    {
      // GetServiceBearerToken has no resource type; the condition limits it to CodeArtifact.
      Sid: "BearerTokenForCodeArtifactOnly",
      Effect: "Allow",
      Action: ["sts:GetServiceBearerToken"],
      Resource: "*",
      Condition: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    },
  ];
}

/** Managed policy for installers: token, endpoint and read, nothing else. */
export function readerPolicy(arns: CodeArtifactArns): PolicyDocument {
  return policyDocument(readStatements(arns));
}

/** Managed policy for publishers: reader plus publishing to the team repository only (never `pypi-store`). */
export function publisherPolicy(arns: CodeArtifactArns): PolicyDocument {
  const [teamRepositoryArn] = arns.repositoryArns;
  return policyDocument([
    ...readStatements(arns),
    {
      Sid: "DescribeDomain",
      Effect: "Allow",
      Action: ["codeartifact:DescribeDomain"],
      Resource: arns.domainArn,
    },
    {
      Sid: "DescribeTeamRepository",
      Effect: "Allow",
      Action: ["codeartifact:DescribeRepository", "codeartifact:ListPackages"],
      Resource: teamRepositoryArn,
    },
    {
      Sid: "PublishToTeamRepository",
      Effect: "Allow",
      Action: [
        "codeartifact:PublishPackageVersion",
        "codeartifact:PutPackageMetadata",
        "codeartifact:DescribePackageVersion",
        "codeartifact:ListPackageVersions",
      ],
      Resource: arns.packagesArn,
    },
  ]);
}

/** Principals of a read-sharing statement: account roots, or anyone in the organization. */
function sharingStatements(
  sharing: ReadSharing,
  action: readonly string[],
  resource: string,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (sharing.accountIds.length > 0) {
    statements.push({
      Sid: "ReadSharingWithAccounts",
      Effect: "Allow",
      Principal: { AWS: sharing.accountIds.map((id) => `arn:${sharing.partition}:iam::${id}:root`) },
      Action: action,
      Resource: resource,
    });
  }
  if (sharing.organizationId) {
    statements.push({
      Sid: "ReadSharingWithOrganization",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: action,
      Resource: resource,
      Condition: { StringEquals: { "aws:PrincipalOrgID": sharing.organizationId } },
    });
  }
  return statements;
}

/** Domain policy: shared principals may get an authorization token for this domain. */
export function domainReadPolicy(sharing: ReadSharing, domainArn: string): PolicyDocument {
  return policyDocument(sharingStatements(sharing, ["codeartifact:GetAuthorizationToken"], domainArn));
}

/** Repository policy: shared principals may find and read the repository, never write. */
export function repositoryReadPolicy(sharing: ReadSharing, repositoryArn: string): PolicyDocument {
  return policyDocument(
    sharingStatements(
      sharing,
      ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
      repositoryArn,
    ),
  );
}

export interface CodeArtifactEndpoint {
  readonly domain: string;
  readonly owner: string;
  readonly region: string;
  readonly repository: string;
}

/** Index URL (pip, uv, poetry sources) and upload URL (twine, poetry publish, uv publish). */
export function codeArtifactUrls(e: CodeArtifactEndpoint): { index: string; upload: string } {
  const upload = `https://${e.domain}-${e.owner}.d.codeartifact.${e.region}.amazonaws.com/pypi/${e.repository}/`;
  return { index: `${upload}simple/`, upload };
}

/**
 * Ready-to-paste instructions. Credentials go into environment variables, not config files, so a
 * token never lands on disk; the user name is always `aws`.
 */
export function codeArtifactSetupText(e: CodeArtifactEndpoint): string {
  const { index, upload } = codeArtifactUrls(e);
  const authenticatedIndex = index.replace("https://", "https://aws:${CODEARTIFACT_AUTH_TOKEN}@");
  const target = `--domain ${e.domain} --domain-owner ${e.owner} --region ${e.region}`;
  return [
    `CodeArtifact repository ${e.repository} in domain ${e.domain} (owner ${e.owner}, ${e.region})`,
    `Index URL:  ${index}`,
    `Upload URL: ${upload}`,
    ``,
    `# 1. Get a token (AWS credentials with the reader or publisher policy; the user name is always "aws"):`,
    `export CODEARTIFACT_AUTH_TOKEN="$(aws codeartifact get-authorization-token ${target} --query authorizationToken --output text --duration-seconds ${MAX_TOKEN_SECONDS})"`,
    `# A token lasts at most 12 hours (--duration-seconds 900 to ${MAX_TOKEN_SECONDS}). An expired token shows up`,
    `# as 404 Not Found ("No matching distribution found"), not as 401: get a new token and retry.`,
    ``,
    `# pip (or: aws codeartifact login --tool pip ${target} --repository ${e.repository})`,
    `export PIP_INDEX_URL="${authenticatedIndex}"`,
    ``,
    `# uv: in pyproject.toml`,
    `[[tool.uv.index]]`,
    `name = "codeartifact"`,
    `url = "${index}"`,
    `publish-url = "${upload}"`,
    `default = true`,
    `# then`,
    `export UV_INDEX_CODEARTIFACT_USERNAME=aws UV_INDEX_CODEARTIFACT_PASSWORD="$CODEARTIFACT_AUTH_TOKEN"`,
    `UV_PUBLISH_USERNAME=aws UV_PUBLISH_PASSWORD="$CODEARTIFACT_AUTH_TOKEN" uv publish --index codeartifact`,
    ``,
    `# poetry`,
    `poetry source add --priority=primary codeartifact ${index}`,
    `poetry config repositories.codeartifact ${upload}`,
    `export POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME=aws POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD="$CODEARTIFACT_AUTH_TOKEN"`,
    `poetry publish --build --repository codeartifact`,
    ``,
    `# twine (or: aws codeartifact login --tool twine ${target} --repository ${e.repository})`,
    `export TWINE_USERNAME=aws TWINE_PASSWORD="$CODEARTIFACT_AUTH_TOKEN" TWINE_REPOSITORY_URL="${upload}"`,
    `twine upload dist/*`,
    ``,
  ].join("\n");
}
