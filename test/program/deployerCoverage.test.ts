import { expect } from "chai";
import { PolicyDocument, PolicyStatement, policyDocument } from "../../components/policies/document";
import { DEPLOYER_ACCESS, DeclaredResource, accessOf } from "../../components/policies/deployerAccess";
import { requireAction, resourceTypesNamedBy } from "../../policy-pack/iam/authorizationData";
import { Decision, decide } from "../../policy-pack/iam/simulate";
import { providerOf } from "../mocks";
import { ProgramRun, runProgram } from "../support/program";
import {
  ACCOUNT,
  TableRequest,
  declaredResources,
  providerDefaultTags,
  rolePolicies,
  stackFacts,
  tableRequests,
} from "../support/iamRequests";

const STACKS = ["dev", "staging", "prod"] as const;

interface Gap {
  readonly resource: string;
  readonly request: string;
  readonly decision: Decision;
}

const describeRequest = ({ request }: TableRequest) =>
  `${request.action} on ${request.resource} ${JSON.stringify(request.context)}`;

/** The table's requests for every declared resource of a run. */
async function requestsOf(run: ProgramRun, stack: string, facts = stackFacts(run.recorder, stack)) {
  const resources = declaredResources(run.recorder);
  return (await Promise.all(resources.map((r) => tableRequests(r, facts)))).flat();
}

/**
 * Requests the role's policies decide otherwise than the table says: `allowed` picks which calls the
 * role must be able to make (the rest it must not).
 */
async function gaps(
  requests: readonly TableRequest[],
  roleArn: string,
  policies: readonly PolicyDocument[],
  allowed: (request: TableRequest) => boolean,
): Promise<Gap[]> {
  const found: Gap[] = [];
  for (const request of requests) {
    const decision = await decide({ arn: roleArn, policies }, request.request, request.resourcePolicy);
    if ((decision === "Allowed") !== allowed(request)) {
      found.push({ resource: request.resource, request: describeRequest(request), decision });
    }
  }
  return found;
}

const grantedToDeployer = ({ call }: TableRequest) => "grantedBy" in call;
const grantedToReader = ({ call }: TableRequest) => "grantedBy" in call && call.grantedBy.startsWith("Read");

const withoutSid = (documents: readonly PolicyDocument[], sid: string) =>
  documents.map((d) => policyDocument(d.Statement.filter((s: PolicyStatement) => s.Sid !== sid)));

describe("program: the deployer can deploy every stack, and nothing the table keeps for administrators", () => {
  const runs = new Map<string, ProgramRun>();
  const requests = new Map<string, TableRequest[]>();
  const roleArn = (stack: string, purpose: string) => `arn:aws:iam::${ACCOUNT}:role/ppi-${stack}-${purpose}`;
  const policiesOf = (stack: string, purpose: string) =>
    rolePolicies(runs.get(stack)!.recorder, `ppi-${stack}-${purpose}`);
  before(async () => {
    for (const stack of STACKS) {
      const run = await runProgram(stack);
      runs.set(stack, run);
      requests.set(stack, await requestsOf(run, stack));
    }
  });

  it("the stack files together declare every optional part (domain, WAF, logs, replicas, both VPC modes)", () => {
    const types = new Set(
      STACKS.flatMap((stack) => declaredResources(runs.get(stack)!.recorder).map((r) => r.type)),
    );
    // Every type the table knows is declared by some stack: no entry goes untested.
    expect([...types].sort()).to.deep.equal(Object.keys(DEPLOYER_ACCESS).sort());
    const table = runs.get("prod")!.recorder.one("aws:dynamodb/table:Table").inputs;
    expect(table.replicas.map((r: { regionName: string }) => r.regionName)).to.deep.equal(["eu-west-1"]);
  });

  for (const stack of STACKS) {
    it(`${stack}: the deployer is allowed every call the table grants, and none it keeps for administrators`, async () => {
      const found = await gaps(
        requests.get(stack)!,
        roleArn(stack, "deployer"),
        policiesOf(stack, "deployer"),
        grantedToDeployer,
      );
      expect(found).to.deep.equal([]);
    });

    it(`${stack}: the previewer is allowed exactly the table's reads`, async () => {
      const found = await gaps(
        requests.get(stack)!,
        roleArn(stack, "previewer"),
        policiesOf(stack, "previewer"),
        grantedToReader,
      );
      expect(found).to.deep.equal([]);
    });

    it(`${stack}: every AWS resource is created through the provider whose default tags carry Stack=${stack}`, () => {
      const { recorder } = runs.get(stack)!;
      const provider = recorder.one("pulumi:providers:aws");
      expect(providerDefaultTags(provider.inputs)).to.deep.equal({
        Project: "python-package-index",
        Stack: stack,
        ManagedBy: "pulumi",
      });
      // awsx builds its children with the providers handed to the component, so they are tagged too.
      const viaOtherProviders = recorder.resources
        .filter((r) => r.type.startsWith("aws:") && providerOf(r) !== "pulumi:providers:aws::aws")
        .map((r) => `${r.type} ${r.name} (${r.provider})`);
      expect(viaOtherProviders).to.deep.equal([]);
    });

    it(`${stack}: the upload role writes minted keys and used-token records in its credentials table alone`, () => {
      // prod keeps a replica in eu-west-1 (Pulumi.prod.yaml), where its upload function runs.
      const regions = stack === "prod" ? ["us-east-1", "eu-west-1"] : ["us-east-1"];
      const statements = rolePolicies(runs.get(stack)!.recorder, `ppi-${stack}-upload`).flatMap(
        (policy) => policy.Statement,
      );
      expect(statements.filter((st) => st.Sid === "MintTrustedPublishingKeys")).to.deep.equal([
        {
          Sid: "MintTrustedPublishingKeys",
          Effect: "Allow",
          Action: "dynamodb:PutItem",
          Resource: regions.map(
            (region) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/ppi-${stack}-credentials`,
          ),
          Condition: {
            "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["ppi_*", "used-oidc-token:*"] },
            Null: { "dynamodb:LeadingKeys": "false" },
          },
        },
      ]);
      const writes = statements.filter((st) =>
        [st.Action ?? []]
          .flat()
          .some((action) => /^dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite)/.test(action)),
      );
      expect(writes.map((st) => st.Sid)).to.deep.equal(["MintTrustedPublishingKeys"]);
    });

    it(`${stack}: the boundary allows exactly what the edge and upload functions' roles need`, () => {
      const boundary = runs
        .get(stack)!
        .recorder.ofType("aws:iam/policy:Policy")
        .find((p) => p.inputs.name === `ppi-${stack}-boundary`);
      expect(JSON.parse(boundary!.inputs.policy)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadCredentialsTables",
            Effect: "Allow",
            Action: "dynamodb:GetItem",
            Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/ppi-${stack}-*`,
          },
          {
            Sid: "WriteFunctionLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [
              `arn:aws:logs:*:${ACCOUNT}:log-group:/aws/lambda/ppi-${stack}-*`,
              `arn:aws:logs:*:${ACCOUNT}:log-group:/aws/lambda/us-east-1.ppi-${stack}-*`,
            ],
          },
          // The origin-response (fall-through) function: reserved-name lists and JSON page keys only.
          {
            Sid: "ReadReservedNames",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: `arn:aws:s3:::ppi-${stack}-index-*/*/reserved-names.json`,
          },
          {
            Sid: "ListReservedNamesAndJsonPages",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::ppi-${stack}-index-*`,
            Condition: { StringLike: { "s3:prefix": ["*/reserved-names.json", "*/*/simple/*/index.json"] } },
          },
          // The upload function's mint endpoint: new keys and used-token records, nothing else.
          {
            Sid: "MintTrustedPublishingKeys",
            Effect: "Allow",
            Action: "dynamodb:PutItem",
            Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/ppi-${stack}-*`,
            Condition: {
              "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["ppi_*", "used-oidc-token:*"] },
              Null: { "dynamodb:LeadingKeys": "false" },
            },
          },
          // The upload function: the publisher's access for every tenant (the key decides the tenant).
          {
            Sid: "UploadReadTenantObjects",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: [`arn:aws:s3:::ppi-${stack}-index-*/*/*`],
          },
          {
            Sid: "UploadWriteTenantPages",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: ["index.html", "*/index.html", "index.json", "*/index.json"].map(
              (page) => `arn:aws:s3:::ppi-${stack}-index-*/*/*/simple/${page}`,
            ),
          },
          {
            Sid: "UploadCreateTenantFiles",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: [`arn:aws:s3:::ppi-${stack}-index-*/*/*/files/*/*`],
            Condition: { StringEquals: { "s3:if-none-match": "*" } },
          },
          {
            Sid: "UploadTagBranchChannelObjects",
            Effect: "Allow",
            Action: "s3:PutObjectTagging",
            Resource: [`arn:aws:s3:::ppi-${stack}-index-*/*/*`],
            Condition: {
              StringEquals: { "s3:RequestObjectTag/ppi-channel-kind": "branch" },
              "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["ppi-channel-kind"] },
            },
          },
          {
            Sid: "UploadDenyTaggingMainChannel",
            Effect: "Deny",
            Action: "s3:PutObjectTagging",
            Resource: [`arn:aws:s3:::ppi-${stack}-index-*/*/main/*`],
          },
          {
            Sid: "UploadListTenantObjects",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::ppi-${stack}-index-*`,
            Condition: { StringLike: { "s3:prefix": ["*/*"] } },
          },
        ],
      });
    });

    it(`${stack}: the deployer may change exactly the stack's own CloudFront objects`, () => {
      const { recorder } = runs.get(stack)!;
      const own = [
        "distribution",
        "cachePolicy",
        "originRequestPolicy",
        "responseHeadersPolicy",
        "originAccessControl",
      ].flatMap((kind) =>
        recorder.resources
          .filter((r) => r.type.startsWith(`aws:cloudfront/${kind}:`))
          .map((r) => r.outputs.arn),
      );
      const statement = policiesOf(stack, "deployer")
        .flatMap((d) => d.Statement)
        .find((s) => s.Sid === "ManageStackCloudFront")!;
      expect([statement.Resource].flat().sort()).to.deep.equal(own.sort());
      expect(own).to.have.length(7);
    });
  }

  it("the edge function's inline policy stays inside the boundary", async () => {
    const { recorder } = runs.get("prod")!;
    const edgeRole = recorder.ofType("aws:iam/role:Role").find((r) => r.inputs.permissionsBoundary)!;
    const boundary = JSON.parse(
      recorder.ofType("aws:iam/policy:Policy").find((p) => p.inputs.name === "ppi-prod-boundary")!.inputs
        .policy,
    ) as PolicyDocument;
    const inline = rolePolicies(recorder, edgeRole.inputs.name);
    for (const statement of inline.flatMap((d) => d.Statement)) {
      for (const action of [statement.Action].flat()) {
        const reference = await requireAction(action!);
        // A concrete ARN in us-east-1 for each pattern (a log stream for `…:*`) the action authorizes on.
        const concrete = [statement.Resource]
          .flat()
          .map((r) => r!.replace(":logs:*:", ":logs:us-east-1:").replace(/:\*$/, ":log-stream:x"))
          .filter((r) => resourceTypesNamedBy(reference, r).length > 0);
        expect(concrete, action).to.have.length.greaterThan(0);
        for (const resource of concrete) {
          const request = { action: action!, resource, context: { "aws:RequestedRegion": "us-east-1" } };
          const decision = await decide({ arn: edgeRole.outputs.arn, policies: inline, boundary }, request);
          expect(decision, `${action} on ${resource}`).to.equal("Allowed");
        }
      }
    }
  });

  it("a deployer policy missing a statement fails the coverage, naming the resource and the action", async () => {
    const found = await gaps(
      requests.get("prod")!,
      roleArn("prod", "deployer"),
      withoutSid(policiesOf("prod", "deployer"), "ManageStackWebAcl"),
      grantedToDeployer,
    );
    expect(found.map((g) => g.resource)).to.include("aws:wafv2/webAcl:WebAcl index-waf");
    expect(found.map((g) => g.request.split(" ")[0])).to.include.members([
      "wafv2:CreateWebACL",
      "wafv2:DeleteWebACL",
    ]);
  });

  it("resources without the Stack tag fail the coverage: the deployer creates and manages only tagged ones", async () => {
    const denied: string[] = [];
    for (const stack of STACKS) {
      const run = runs.get(stack)!;
      const untagged = await requestsOf(run, stack, { ...stackFacts(run.recorder, stack), defaultTags: {} });
      const found = await gaps(
        untagged,
        roleArn(stack, "deployer"),
        policiesOf(stack, "deployer"),
        grantedToDeployer,
      );
      denied.push(...found.map((g) => g.request.split(" ")[0]));
    }
    expect(denied).to.include.members([
      "cloudfront:CreateDistribution",
      "ec2:CreateVpcEndpoint",
      "ec2:DeleteVpcEndpoints",
      "ec2:AuthorizeSecurityGroupIngress",
    ]);
  });

  it("a deployer able to change a CI role fails the coverage", async () => {
    const found = await gaps(
      requests.get("dev")!,
      roleArn("dev", "deployer"),
      withoutSid(policiesOf("dev", "deployer"), "DenyCiRoleChanges"),
      grantedToDeployer,
    );
    expect(found.map((g) => `${g.request.split(" ")[0]} ${g.decision}`)).to.include("iam:TagRole Allowed");
  });

  it("an unknown resource type fails with a message telling the developer to add it to the table", () => {
    const queue: DeclaredResource = { type: "aws:sqs/queue:Queue", name: "jobs", inputs: {}, outputs: {} };
    expect(() => accessOf(queue)).to.throw(
      /No IAM access is known for resource type aws:sqs\/queue:Queue \(jobs\): add it to DEPLOYER_ACCESS in components\/policies\/deployerAccess.ts/,
    );
  });
});
