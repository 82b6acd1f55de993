import { expect } from "chai";
import {
  CodeArtifactRepository,
  CodeArtifactRepositoryArgs,
  codeArtifactSetupText,
} from "../../components/codeArtifactRepository";
import { PolicyDocument } from "../../components/policies/document";
import {
  RecordedResource,
  ResourceRecorder,
  expectRefusedBeforeRegistering,
  settle,
  setupMocks,
  valueOf,
} from "../mocks";

const ACCOUNT = "123456789012";
const DOMAIN_ARN = `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:domain/ppi-test`;
const TEAM_ARN = `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:repository/ppi-test/packages`;
const STORE_ARN = `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:repository/ppi-test/pypi-store`;
const PACKAGES_ARN = `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:package/ppi-test/packages/pypi/*`;
const CREATED_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/ca-key`;
const HOST = `ppi-test-${ACCOUNT}.d.codeartifact.eu-west-1.amazonaws.com`;

const CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";
const DOMAIN = "aws:codeartifact/domain:Domain";
const REPOSITORY = "aws:codeartifact/repository:Repository";
const DOMAIN_POLICY = "aws:codeartifact/domainPermissions:DomainPermissions";
const REPOSITORY_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy";
const IAM_POLICY = "aws:iam/policy:Policy";

const BASE_ARGS: CodeArtifactRepositoryArgs = {
  namePrefix: "ppi-test",
  region: "eu-west-1",
  repositoryName: "packages",
};

async function build(
  overrides: Partial<CodeArtifactRepositoryArgs> = {},
): Promise<{ recorder: ResourceRecorder; component: CodeArtifactRepository }> {
  const recorder = await setupMocks({
    invokes: {
      [CALLER_IDENTITY]: () => ({
        accountId: ACCOUNT,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ppi-test-deployer/ci`,
        userId: "AROAEXAMPLE:ci",
        id: ACCOUNT,
      }),
    },
  });
  const component = new CodeArtifactRepository("ca", { ...BASE_ARGS, ...overrides });
  await valueOf(component.setupInstructions);
  await valueOf(component.publisherPolicyArn);
  await settle();
  return { recorder, component };
}

function policyOf(resource: RecordedResource, field = "policy"): PolicyDocument {
  return JSON.parse(resource.inputs[field]) as PolicyDocument;
}

const READ_STATEMENTS = [
  {
    Sid: "AuthorizationTokenForThisDomain",
    Effect: "Allow",
    Action: ["codeartifact:GetAuthorizationToken"],
    Resource: DOMAIN_ARN,
  },
  {
    Sid: "ReadRepositories",
    Effect: "Allow",
    Action: ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
    Resource: [TEAM_ARN, STORE_ARN],
  },
  {
    Sid: "BearerTokenForCodeArtifactOnly",
    Effect: "Allow",
    Action: ["sts:GetServiceBearerToken"],
    Resource: "*",
    Condition: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
  },
];

describe("CodeArtifactRepository", () => {
  describe("with defaults", () => {
    let recorder: ResourceRecorder;
    let component: CodeArtifactRepository;
    before(async () => ({ recorder, component } = await build()));

    it("shares nothing with other accounts unless asked", () => {
      expect(recorder.ofType(DOMAIN_POLICY)).to.deep.equal([]);
      expect(recorder.ofType(REPOSITORY_POLICY)).to.deep.equal([]);
    });

    it("exposes the domain, both repositories, the key and the policies it created", async () => {
      expect(await valueOf(component.domain.arn)).to.equal(recorder.one(DOMAIN).outputs.arn);
      expect(await valueOf(component.repository.repository)).to.equal("packages");
      expect(await valueOf(component.storeRepository.repository)).to.equal("pypi-store");
      expect(await valueOf(component.key!.arn)).to.equal(recorder.one("aws:kms/key:Key").outputs.arn);
      expect(await valueOf(component.publisherPolicy.arn)).to.equal(
        await valueOf(component.publisherPolicyArn),
      );
    });

    it("creates a rotating symmetric key usable only through CodeArtifact in this account and region", () => {
      const key = recorder.one("aws:kms/key:Key");
      expect(key.inputs).to.deep.include({
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        region: "eu-west-1",
      });
      expect(policyOf(key)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
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
                "kms:CallerAccount": ACCOUNT,
                "kms:ViaService": "codeartifact.eu-west-1.amazonaws.com",
              },
            },
          },
        ],
      });
      expect(recorder.one("aws:kms/alias:Alias").inputs).to.deep.include({
        name: "alias/ppi-test-codeartifact",
      });
    });

    it("encrypts the domain ppi-test with the created key", () => {
      expect(recorder.one(DOMAIN).inputs).to.deep.equal({
        domain: "ppi-test",
        encryptionKey: CREATED_KEY_ARN,
        region: "eu-west-1",
      });
    });

    it("connects pypi-store to public PyPI and makes it the team repository's only upstream", () => {
      const store = recorder.one(REPOSITORY, "-pypi-store");
      expect(store.inputs).to.deep.include({
        repository: "pypi-store",
        domain: "ppi-test",
        domainOwner: ACCOUNT,
        region: "eu-west-1",
        externalConnections: { externalConnectionName: "public:pypi" },
      });
      const team = recorder.one(REPOSITORY, "-repository");
      expect(team.inputs).to.deep.include({
        repository: "packages",
        domain: "ppi-test",
        domainOwner: ACCOUNT,
        region: "eu-west-1",
        upstreams: [{ repositoryName: "pypi-store" }],
      });
      expect(team.inputs).to.not.have.property("externalConnections");
    });

    it("scopes the reader policy to this domain and these repositories", () => {
      const reader = recorder.one(IAM_POLICY, "-reader");
      expect(reader.inputs.name).to.equal("ppi-test-codeartifact-reader");
      expect(policyOf(reader)).to.deep.equal({ Version: "2012-10-17", Statement: READ_STATEMENTS });
    });

    it("lets the publisher publish to the team repository's packages only", () => {
      const publisher = recorder.one(IAM_POLICY, "-publisher");
      expect(publisher.inputs.name).to.equal("ppi-test-codeartifact-publisher");
      expect(policyOf(publisher)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          ...READ_STATEMENTS,
          {
            Sid: "DescribeDomain",
            Effect: "Allow",
            Action: ["codeartifact:DescribeDomain"],
            Resource: DOMAIN_ARN,
          },
          {
            Sid: "DescribeTeamRepository",
            Effect: "Allow",
            Action: ["codeartifact:DescribeRepository", "codeartifact:ListPackages"],
            Resource: TEAM_ARN,
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
            Resource: PACKAGES_ARN,
          },
        ],
      });
    });

    it("grants a `*` resource only to sts:GetServiceBearerToken, conditioned on CodeArtifact", () => {
      for (const policy of recorder.ofType(IAM_POLICY)) {
        const wildcard = policyOf(policy).Statement.filter((s) => [s.Resource].flat().includes("*"));
        expect(
          wildcard.map((s) => s.Action),
          policy.name,
        ).to.deep.equal([["sts:GetServiceBearerToken"]]);
        expect(wildcard[0].Condition).to.deep.equal({
          StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" },
        });
      }
    });

    it("does not protect anything unless asked", () => {
      expect(recorder.customResources.filter((r) => r.protect).map((r) => r.name)).to.deep.equal([]);
    });

    it("outputs the domain, repository, pip endpoint and policy ARNs", async () => {
      expect(await valueOf(component.domainName)).to.equal("ppi-test");
      expect(await valueOf(component.domainOwner)).to.equal(ACCOUNT);
      expect(await valueOf(component.domainArn)).to.equal(DOMAIN_ARN);
      expect(await valueOf(component.repositoryName)).to.equal("packages");
      expect(await valueOf(component.repositoryArn)).to.equal(TEAM_ARN);
      expect(await valueOf(component.storeRepositoryArn)).to.equal(STORE_ARN);
      expect(await valueOf(component.kmsKeyArn)).to.equal(CREATED_KEY_ARN);
      expect(await valueOf(component.pipEndpoint)).to.equal(`https://${HOST}/pypi/packages/simple/`);
      expect(await valueOf(component.readerPolicyArn)).to.equal(
        `arn:aws:iam::${ACCOUNT}:policy/ppi-test-codeartifact-reader`,
      );
      expect(await valueOf(component.publisherPolicyArn)).to.equal(
        `arn:aws:iam::${ACCOUNT}:policy/ppi-test-codeartifact-publisher`,
      );
    });

    it("outputs ready-to-paste setup instructions for pip, uv, poetry and twine", async () => {
      expect(await valueOf(component.setupInstructions)).to.equal(
        [
          `CodeArtifact repository packages in domain ppi-test (owner ${ACCOUNT}, eu-west-1)`,
          `Index URL:  https://${HOST}/pypi/packages/simple/`,
          `Upload URL: https://${HOST}/pypi/packages/`,
          ``,
          `# 1. Get a token (AWS credentials with the reader or publisher policy; the user name is always "aws"):`,
          `export CODEARTIFACT_AUTH_TOKEN="$(aws codeartifact get-authorization-token --domain ppi-test --domain-owner ${ACCOUNT} --region eu-west-1 --query authorizationToken --output text --duration-seconds 43200)"`,
          `# A token lasts at most 12 hours (--duration-seconds 900 to 43200). An expired token shows up`,
          `# as 404 Not Found ("No matching distribution found"), not as 401: get a new token and retry.`,
          ``,
          `# pip (or: aws codeartifact login --tool pip --domain ppi-test --domain-owner ${ACCOUNT} --region eu-west-1 --repository packages)`,
          `export PIP_INDEX_URL="https://aws:\${CODEARTIFACT_AUTH_TOKEN}@${HOST}/pypi/packages/simple/"`,
          ``,
          `# uv: in pyproject.toml`,
          `[[tool.uv.index]]`,
          `name = "codeartifact"`,
          `url = "https://${HOST}/pypi/packages/simple/"`,
          `publish-url = "https://${HOST}/pypi/packages/"`,
          `default = true`,
          `# then`,
          `export UV_INDEX_CODEARTIFACT_USERNAME=aws UV_INDEX_CODEARTIFACT_PASSWORD="$CODEARTIFACT_AUTH_TOKEN"`,
          `UV_PUBLISH_USERNAME=aws UV_PUBLISH_PASSWORD="$CODEARTIFACT_AUTH_TOKEN" uv publish --index codeartifact`,
          ``,
          `# poetry`,
          `poetry source add --priority=primary codeartifact https://${HOST}/pypi/packages/simple/`,
          `poetry config repositories.codeartifact https://${HOST}/pypi/packages/`,
          `export POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME=aws POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD="$CODEARTIFACT_AUTH_TOKEN"`,
          `poetry publish --build --repository codeartifact`,
          ``,
          `# twine (or: aws codeartifact login --tool twine --domain ppi-test --domain-owner ${ACCOUNT} --region eu-west-1 --repository packages)`,
          `export TWINE_USERNAME=aws TWINE_PASSWORD="$CODEARTIFACT_AUTH_TOKEN" TWINE_REPOSITORY_URL="https://${HOST}/pypi/packages/"`,
          `twine upload dist/*`,
          ``,
        ].join("\n"),
      );
    });
  });

  it("builds the endpoint host from the domain owner and region", () => {
    const text = codeArtifactSetupText({
      domain: "ppi-prod",
      owner: "210987654321",
      region: "us-gov-west-1",
      repository: "ml",
    });
    expect(text).to.include(
      "Index URL:  https://ppi-prod-210987654321.d.codeartifact.us-gov-west-1.amazonaws.com/pypi/ml/simple/",
    );
  });

  it("without the external connection keeps pypi-store as upstream but disconnected (frozen cache)", async () => {
    const { recorder } = await build({ externalConnection: false });
    const store = recorder.one(REPOSITORY, "-pypi-store");
    expect(store.inputs).to.deep.include({ repository: "pypi-store" });
    expect(store.inputs).to.not.have.property("externalConnections");
    expect(recorder.one(REPOSITORY, "-repository").inputs.upstreams).to.deep.equal([
      { repositoryName: "pypi-store" },
    ]);
  });

  it("with an existing key creates no key and encrypts the domain with it", async () => {
    const existing = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const { recorder, component } = await build({ kmsKeyArn: existing });
    expect(recorder.ofType("aws:kms/key:Key")).to.have.length(0);
    expect(recorder.ofType("aws:kms/alias:Alias")).to.have.length(0);
    expect(recorder.one(DOMAIN).inputs.encryptionKey).to.equal(existing);
    expect(await valueOf(component.kmsKeyArn)).to.equal(existing);
  });

  it("when protected, protects the key, the domain and both repositories", async () => {
    const { recorder } = await build({ protect: true });
    const protectedNames = recorder.customResources.filter((r) => r.protect).map((r) => r.name);
    expect(protectedNames.sort()).to.deep.equal(["ca-domain", "ca-key", "ca-pypi-store", "ca-repository"]);
  });

  describe("read sharing", () => {
    const ORG_STATEMENT = (action: string[], resource: string) => ({
      Sid: "ReadSharingWithOrganization",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: action,
      Resource: resource,
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
    });
    const ACCOUNTS_STATEMENT = (action: string[], resource: string) => ({
      Sid: "ReadSharingWithAccounts",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
      Action: action,
      Resource: resource,
    });
    const READ = ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"];
    const TOKEN = ["codeartifact:GetAuthorizationToken"];

    it("with accounts lets their roots get a token and read both repositories, nothing else", async () => {
      const { recorder } = await build({ readAccountIds: ["111111111111", "222222222222"] });
      const domainPolicy = recorder.one(DOMAIN_POLICY);
      expect(domainPolicy.inputs).to.deep.include({
        domain: "ppi-test",
        domainOwner: ACCOUNT,
        region: "eu-west-1",
      });
      expect(policyOf(domainPolicy, "policyDocument").Statement).to.deep.equal([
        ACCOUNTS_STATEMENT(TOKEN, DOMAIN_ARN),
      ]);
      const team = recorder.one(REPOSITORY_POLICY, "-repository-policy");
      expect(team.inputs).to.deep.include({
        repository: "packages",
        domainOwner: ACCOUNT,
        region: "eu-west-1",
      });
      expect(policyOf(team, "policyDocument").Statement).to.deep.equal([ACCOUNTS_STATEMENT(READ, TEAM_ARN)]);
      const store = recorder.one(REPOSITORY_POLICY, "-pypi-store-policy");
      expect(policyOf(store, "policyDocument").Statement).to.deep.equal([
        ACCOUNTS_STATEMENT(READ, STORE_ARN),
      ]);
    });

    it("with an organization conditions every grant on aws:PrincipalOrgID", async () => {
      const { recorder } = await build({ readOrganizationId: "o-a1b2c3d4e5" });
      expect(policyOf(recorder.one(DOMAIN_POLICY), "policyDocument").Statement).to.deep.equal([
        ORG_STATEMENT(TOKEN, DOMAIN_ARN),
      ]);
      expect(
        policyOf(recorder.one(REPOSITORY_POLICY, "-repository-policy"), "policyDocument").Statement,
      ).to.deep.equal([ORG_STATEMENT(READ, TEAM_ARN)]);
    });

    it("with both grants each in its own statement", async () => {
      const { recorder } = await build({
        readAccountIds: ["111111111111", "222222222222"],
        readOrganizationId: "o-a1b2c3d4e5",
      });
      expect(policyOf(recorder.one(DOMAIN_POLICY), "policyDocument").Statement).to.deep.equal([
        ACCOUNTS_STATEMENT(TOKEN, DOMAIN_ARN),
        ORG_STATEMENT(TOKEN, DOMAIN_ARN),
      ]);
    });
  });

  describe("rejects bad arguments with the field and the fix", () => {
    const cases: [string, Partial<CodeArtifactRepositoryArgs>, string][] = [
      [
        "uppercase domain",
        { namePrefix: "PPI-dev" },
        'namePrefix "PPI-dev" is not a valid CodeArtifact domain name; use 2-50 lowercase letters, digits or dashes starting with a letter, such as "ppi-dev".',
      ],
      [
        "domain starting with a digit",
        { namePrefix: "1ppi" },
        'namePrefix "1ppi" is not a valid CodeArtifact domain name; use 2-50 lowercase letters, digits or dashes starting with a letter, such as "ppi-dev".',
      ],
      [
        "bad region",
        { region: "Europe" },
        'region "Europe" is not an AWS region name; use one such as "eu-west-1".',
      ],
      [
        "reserved repository name",
        { repositoryName: "pypi-store" },
        'repositoryName "pypi-store" is invalid; use 2-100 letters, digits, dots, dashes or underscores starting with a letter or digit, other than "pypi-store".',
      ],
      [
        "short account id",
        { readAccountIds: ["12345"] },
        'readAccountIds entry "12345" is not a 12-digit AWS account id.',
      ],
      [
        "bad organization",
        { readOrganizationId: "org-1" },
        'readOrganizationId "org-1" is not an AWS Organizations id such as "o-a1b2c3d4e5".',
      ],
    ];
    for (const [title, overrides, message] of cases) {
      it(`${title}, registering nothing`, () =>
        expectRefusedBeforeRegistering(
          () => new CodeArtifactRepository("bad", { ...BASE_ARGS, ...overrides }),
          `CodeArtifactRepository bad: ${message}`,
        ));
    }
  });
});
