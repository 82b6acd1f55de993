import { expect } from "chai";
import { CiAccess, CiAccessArgs } from "../../components/ciAccess";
import { PolicyDocument, asList } from "../../components/policies/document";
import {
  RecordedResource,
  ResourceRecorder,
  expectRefusedBeforeRegistering,
  settle,
  setupMocks,
  valueOf,
} from "../mocks";

/** Another organization's naming: no `ppi-<stack>` anywhere, a Stack tag of its own. */
const ACME: CiAccessArgs = {
  namePrefix: "acme-dev",
  project: "platform",
  stack: "dev",
  oidcProvider: { mode: "create" },
  infraRepository: "acme/platform",
  deployerTrust: [],
  pulumiOrganization: "acme",
  packageRepositories: ["acme/lib-a"],
  publisherTrust: [{ kind: "environment", name: "dev" }],
  publisherTenants: ["acme"],
  bucketName: "acme-dev-index-bucket",
  scope: { stackTag: "platform-dev", region: "eu-central-1", replicaRegions: [] },
};

function policiesOf(recorder: ResourceRecorder, roleName: string): PolicyDocument[] {
  return recorder
    .ofType("aws:iam/policy:Policy")
    .filter((p) => p.inputs.name.startsWith(`${roleName}-`))
    .map((p) => JSON.parse(p.inputs.policy) as PolicyDocument);
}

function trustOf(role: RecordedResource): PolicyDocument {
  return JSON.parse(role.inputs.assumeRolePolicy) as PolicyDocument;
}

describe("CiAccess", () => {
  describe("with its own name prefix and Stack tag", () => {
    let recorder: ResourceRecorder;
    let ci: CiAccess;
    before(async () => {
      recorder = await setupMocks();
      ci = new CiAccess("ci", ACME);
      await valueOf(ci.deployerRoleArn);
      await valueOf(ci.publisherRoleArn!);
      await settle();
    });

    it("names the three roles after the prefix", () => {
      expect(recorder.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).to.have.members([
        "acme-dev-deployer",
        "acme-dev-previewer",
        "acme-dev-publisher",
      ]);
    });

    it("confines the deployer to the given Stack tag, never a tag derived from the prefix", () => {
      const documents = policiesOf(recorder, "acme-dev-deployer");
      // Values the Stack tag is compared with (the Null operator only asks whether the tag is there).
      const tagValues = documents
        .flatMap((d) => d.Statement.flatMap((s) => Object.entries(s.Condition ?? {})))
        .filter(([operator]) => operator.startsWith("String"))
        .flatMap(([, keys]) =>
          Object.entries(keys).flatMap(([key, value]) =>
            /^aws:(Resource|Request)Tag\/Stack$/.test(key) ? asList(value) : [],
          ),
        );
      expect(tagValues.length).to.be.greaterThan(3);
      const text = JSON.stringify(documents);
      expect(new Set(tagValues)).to.deep.equal(new Set(["platform-dev"]));
      expect(text).to.contain("arn:aws:s3:::acme-dev-*");
      expect(text).not.to.contain("ppi-");
    });

    it("lets only Pulumi Deployments of this project and stack assume the deployer", () => {
      const [statement, ...rest] = trustOf(recorder.one("aws:iam/role:Role", "-deployer")).Statement;
      expect(rest).to.deep.equal([]);
      expect(statement.Principal).to.deep.equal({
        Federated: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
      });
      const subjects = asList(statement.Condition!.StringEquals["api.pulumi.com/oidc:sub"]);
      expect(subjects.length).to.be.greaterThan(0);
      for (const subject of subjects)
        expect(subject).to.match(
          /^pulumi:deploy:org:acme:project:platform:stack:dev:operation:[a-z]+:scope:write$/,
        );
      expect(statement.Condition!.StringEquals["api.pulumi.com/oidc:aud"]).to.equal("acme");
    });

    it("lets pull requests of the infrastructure repository assume the previewer, nothing else", () => {
      const [statement] = trustOf(recorder.one("aws:iam/role:Role", "-previewer")).Statement;
      expect(statement.Condition).to.deep.equal({
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": ["repo:acme/platform:pull_request"],
        },
      });
    });

    it("lets the package repositories' dev environment assume the publisher, writing the bucket's tenants only", () => {
      const [statement] = trustOf(recorder.one("aws:iam/role:Role", "-publisher")).Statement;
      expect(statement.Condition!.StringEquals["token.actions.githubusercontent.com:sub"]).to.deep.equal([
        "repo:acme/lib-a:environment:dev",
      ]);
      const resources = policiesOf(recorder, "acme-dev-publisher").flatMap((d) =>
        d.Statement.flatMap((s) => asList(s.Resource)),
      );
      const objects = resources.filter((r) => r.startsWith("arn:aws:s3:::") && r.includes("/"));
      expect(objects).to.include("arn:aws:s3:::acme-dev-index-bucket/acme/*");
      // Objects of the given tenant in the given bucket only.
      for (const arn of objects) expect(arn).to.match(/^arn:aws:s3:::acme-dev-index-bucket\/acme\//);
    });

    it("exposes the OIDC component and the three roles", async () => {
      expect(await valueOf(ci.deployer.arn)).to.equal(await valueOf(ci.deployerRoleArn));
      expect(await valueOf(ci.previewer.name)).to.equal("acme-dev-previewer");
      expect(Object.keys(ci.oidc.createdProviders)).to.have.members(["github", "pulumi"]);
    });
  });

  it("tags the roles, their policies and the providers it creates", async () => {
    const recorder = await setupMocks();
    const ci = new CiAccess("ci", { ...ACME, tags: { Team: "platform" } });
    await valueOf(ci.deployerRoleArn);
    await settle();
    const taggable = [
      ...recorder.ofType("aws:iam/role:Role"),
      ...recorder.ofType("aws:iam/policy:Policy"),
      ...recorder.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
    ];
    expect(taggable.length).to.equal(3 + 6 + 2);
    for (const resource of taggable)
      expect(resource.inputs.tags, resource.name).to.deep.equal({ Team: "platform" });
  });

  const misuse: [string, Partial<CiAccessArgs>, string][] = [
    [
      "an invalid name prefix",
      { namePrefix: "PPI test" },
      'CiAccess ci: namePrefix "PPI test" must be 1-28 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. "ppi-dev").',
    ],
    [
      "package repositories without publisher trust and tenants",
      { publisherTrust: undefined, publisherTenants: undefined },
      "CiAccess ci: packageRepositories need publisherTrust and publisherTenants (which jobs publish, and where).",
    ],
    [
      "an empty Stack tag (it would confine nothing)",
      { scope: { ...ACME.scope, stackTag: "" } },
      `CiAccess ci: scope.stackTag "" must be 1-256 letters, digits, spaces or _.:/=+-@: the value of the Stack tag the stack's resources carry.`,
    ],
    [
      "a region that is no region",
      { scope: { ...ACME.scope, region: "Frankfurt" } },
      'CiAccess ci: scope.region "Frankfurt" is not an AWS region name such as eu-west-1.',
    ],
    [
      "us-east-1 as a table replica",
      { scope: { ...ACME.scope, replicaRegions: ["us-east-1"] } },
      'CiAccess ci: scope.replicaRegions entry "us-east-1" must be an AWS region name other than us-east-1.',
    ],
    [
      "nobody to assume the deployer",
      { pulumiOrganization: undefined },
      "CiAccess ci: nothing may assume the deployer; set pulumiOrganization (Pulumi Deployments) or deployerTrust.",
    ],
    [
      "a tenant name with a slash",
      { publisherTenants: ["acme/*"] },
      'CiAccess ci: publisherTenants entry "acme/*" is not a tenant name.',
    ],
    [
      "a repository without its owner",
      { packageRepositories: ["lib-a"] },
      'CiAccess ci: "lib-a" is not an owner/repository name.',
    ],
    [
      "provider ARNs without the Pulumi Cloud one while Deployments are trusted",
      {
        oidcProvider: {
          mode: "arn",
          githubProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        },
      },
      'CiAccess ci: mode "arn" with pulumiOrganization needs pulumiProviderArn (the api.pulumi.com/oidc provider).',
    ],
  ];
  for (const [what, overrides, message] of misuse) {
    it(`refuses ${what} before registering anything`, () =>
      expectRefusedBeforeRegistering(() => new CiAccess("ci", { ...ACME, ...overrides }), message));
  }
});
