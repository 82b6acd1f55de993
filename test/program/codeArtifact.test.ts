import { expect } from "chai";
import { PolicyDocument } from "../../components/policies/document";
import { RecordedResource, providerOf } from "../mocks";
import { ProgramRun, runProgram } from "../support/program";

const ACCOUNT = "123456789012";
const DOMAIN = "aws:codeartifact/domain:Domain";
const REPOSITORY = "aws:codeartifact/repository:Repository";
const DOMAIN_POLICY = "aws:codeartifact/domainPermissions:DomainPermissions";
const REPOSITORY_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const AWSX_VPC = "awsx:ec2:Vpc";

/** Resources of the CodeArtifact components: their logical names start with `codeartifact`. */
function isCodeArtifactResource(r: RecordedResource): boolean {
  return r.name.startsWith("codeartifact");
}

interface CodeArtifactExpectation {
  readonly stack: string;
  readonly protect: boolean;
  /** Read-sharing principals in the domain policy, if any. */
  readonly sharing?: Record<string, unknown>;
  /** CIDRs allowed into the endpoints, if the stack has private network access. */
  readonly endpointSources?: string[];
  /** Whether the stack creates the isolated VPC the endpoints go into. */
  readonly newVpc: boolean;
}

const STACKS: CodeArtifactExpectation[] = [
  { stack: "dev", protect: false, newVpc: false },
  { stack: "staging", protect: false, endpointSources: ["10.81.0.0/20"], newVpc: true },
  {
    stack: "prod",
    protect: true,
    sharing: {
      Principal: { AWS: "*" },
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
    },
    endpointSources: ["10.20.0.0/16"],
    newVpc: false,
  },
];

for (const expected of STACKS) {
  describe(`program: CodeArtifact on ${expected.stack}`, () => {
    let run: ProgramRun;
    let resources: RecordedResource[];
    before(async () => {
      run = await runProgram(expected.stack);
      resources = run.recorder.resources.filter(
        (r) => isCodeArtifactResource(r) && !r.type.startsWith("python-package-index:"),
      );
    });

    it("encrypts the domain with its own rotating key and proxies PyPI only through pypi-store", () => {
      const key = run.recorder.one("aws:kms/key:Key");
      expect(key.inputs.enableKeyRotation).to.equal(true);
      expect(run.recorder.one(DOMAIN).inputs.encryptionKey).to.equal(key.outputs.arn);
      const store = run.recorder.one(REPOSITORY, "-pypi-store").inputs;
      expect(store.externalConnections).to.deep.equal({ externalConnectionName: "public:pypi" });
      const team = run.recorder.one(REPOSITORY, "-repository").inputs;
      expect(team).not.to.have.property("externalConnections");
      expect(team.upstreams).to.deep.equal([{ repositoryName: "pypi-store" }]);
    });

    it("puts exactly the two CodeArtifact endpoints where configured, into a new VPC only if asked", () => {
      const services = run.recorder.ofType(ENDPOINT).map((e) => e.inputs.serviceName);
      expect(services).to.have.members(
        expected.endpointSources
          ? ["com.amazonaws.eu-west-1.codeartifact.api", "com.amazonaws.eu-west-1.codeartifact.repositories"]
          : [],
      );
      expect(run.recorder.ofType(AWSX_VPC).length).to.equal(expected.newVpc ? 1 : 0);
    });

    it("names the domain ppi-<stack> and every policy ppi-<stack>-*, through the stack's provider", () => {
      expect(run.recorder.one(DOMAIN).inputs).to.deep.include({
        domain: `ppi-${expected.stack}`,
        region: "eu-west-1",
      });
      const policyNames = run.recorder
        .ofType("aws:iam/policy:Policy")
        .filter(isCodeArtifactResource)
        .map((p) => p.inputs.name);
      expect(policyNames).to.have.members([
        `ppi-${expected.stack}-codeartifact-reader`,
        `ppi-${expected.stack}-codeartifact-publisher`,
      ]);
      for (const r of resources.filter((r) => r.custom)) {
        expect(providerOf(r), r.name).to.equal("pulumi:providers:aws::aws");
      }
    });

    it(`${expected.protect ? "protects" : "does not protect"} the key, domain and repositories`, () => {
      const protectedNames = resources.filter((r) => r.protect).map((r) => r.name);
      expect(protectedNames).to.have.members(
        expected.protect
          ? ["codeartifact-key", "codeartifact-domain", "codeartifact-pypi-store", "codeartifact-repository"]
          : [],
      );
    });

    it("never grants a write action on `*`", () => {
      for (const policy of resources.filter((r) => r.type === "aws:iam/policy:Policy")) {
        const document = JSON.parse(policy.inputs.policy) as PolicyDocument;
        const wildcard = document.Statement.filter((s) => [s.Resource].flat().includes("*"));
        expect(
          wildcard.flatMap((s) => s.Action),
          policy.name,
        ).to.deep.equal(["sts:GetServiceBearerToken"]);
      }
    });

    it("shares read access exactly as configured", () => {
      const domainPolicies = run.recorder.ofType(DOMAIN_POLICY);
      const sharedRepositories = run.recorder.ofType(REPOSITORY_POLICY).map((p) => p.inputs.repository);
      if (!expected.sharing) {
        expect(domainPolicies).to.deep.equal([]);
        expect(sharedRepositories).to.deep.equal([]);
        return;
      }
      expect(sharedRepositories).to.have.members(["packages", "pypi-store"]);
      const statements = (JSON.parse(domainPolicies[0].inputs.policyDocument) as PolicyDocument).Statement;
      expect(statements).to.have.length(1);
      expect(statements[0]).to.deep.include({
        ...expected.sharing,
        Action: ["codeartifact:GetAuthorizationToken"],
      });
    });

    it("opens the endpoints to the VPC's CIDRs only", () => {
      const groups = run.recorder.ofType(SECURITY_GROUP).filter(isCodeArtifactResource);
      if (!expected.endpointSources) {
        expect(groups).to.deep.equal([]);
        return;
      }
      expect(groups[0].inputs.ingress).to.deep.equal([
        {
          description: "HTTPS from the VPC's CIDRs",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: expected.endpointSources,
        },
      ]);
      expect(groups[0].inputs.egress).to.deep.equal([]);
    });

    it("exports the domain, owner, repository, pip endpoint, setup text and publisher policy", () => {
      const host = `ppi-${expected.stack}-${ACCOUNT}.d.codeartifact.eu-west-1.amazonaws.com`;
      expect(run.outputs).to.deep.include({
        codeArtifactDomain: `ppi-${expected.stack}`,
        codeArtifactDomainOwner: ACCOUNT,
        codeArtifactRepository: "packages",
        codeArtifactPipEndpoint: `https://${host}/pypi/packages/simple/`,
        codeArtifactPublisherPolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ppi-${expected.stack}-codeartifact-publisher`,
      });
      expect(run.outputs.codeArtifactSetup).to.include(
        `aws codeartifact get-authorization-token --domain ppi-${expected.stack} --domain-owner ${ACCOUNT} --region eu-west-1 --query authorizationToken --output text --duration-seconds 43200`,
      );
    });
  });
}

describe("program: CodeArtifact switched off", () => {
  it("creates no CodeArtifact resource and exports no CodeArtifact output", async () => {
    const run = await runProgram("dev", { config: { "python-package-index:codeArtifact": "false" } });
    expect(run.recorder.resources.filter(isCodeArtifactResource)).to.deep.equal([]);
    expect(
      Object.keys(run.outputs).filter((k) => k.startsWith("codeArtifact") && run.outputs[k] !== undefined),
    ).to.deep.equal([]);
  });
});
