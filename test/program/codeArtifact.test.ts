import { expect } from "chai";
import { PolicyDocument } from "../../components/policies/document";
import { RecordedResource } from "../mocks";
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
  readonly counts: Record<string, number>;
  readonly protect: boolean;
  /** Read-sharing principals in the domain policy, if any. */
  readonly sharing?: Record<string, unknown>;
  /** CIDRs allowed into the endpoints, if the stack has private network access. */
  readonly endpointSources?: string[];
}

const REPOSITORY_AND_POLICIES = {
  "aws:kms/key:Key": 1,
  "aws:kms/alias:Alias": 1,
  [DOMAIN]: 1,
  [REPOSITORY]: 2,
  "aws:iam/policy:Policy": 2,
};

const STACKS: CodeArtifactExpectation[] = [
  { stack: "dev", counts: REPOSITORY_AND_POLICIES, protect: false },
  {
    stack: "staging",
    counts: { ...REPOSITORY_AND_POLICIES, [AWSX_VPC]: 1, [SECURITY_GROUP]: 1, [ENDPOINT]: 2 },
    protect: false,
    endpointSources: ["10.81.0.0/20"],
  },
  {
    stack: "prod",
    counts: {
      ...REPOSITORY_AND_POLICIES,
      [DOMAIN_POLICY]: 1,
      [REPOSITORY_POLICY]: 2,
      [SECURITY_GROUP]: 1,
      [ENDPOINT]: 2,
    },
    protect: true,
    sharing: {
      Principal: { AWS: "*" },
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
    },
    endpointSources: ["10.20.0.0/16"],
  },
];

function countsOf(resources: RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

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

    it("creates exactly the configured CodeArtifact and network resources", () => {
      expect(countsOf(resources)).to.deep.equal(expected.counts);
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
        expect(r.provider, r.name).to.match(/::pulumi:providers:aws::aws::/);
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
      if (!expected.sharing) {
        expect(domainPolicies).to.deep.equal([]);
        return;
      }
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
