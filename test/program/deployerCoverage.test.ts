import { expect } from "chai";
import { PolicyDocument, PolicyStatement, policyDocument } from "../../components/policies/document";
import { DeclaredResource, StackFacts, needsOf } from "../../rules/deployerNeeds";
import { AccessRequest, Decision, evaluate } from "../../rules/policyEvaluation";
import { ResourceRecorder, providerOf } from "../mocks";
import { ProgramRun, runProgram } from "../support/program";

const ACCOUNT = "123456789012";
const STACKS = ["dev", "staging", "prod"] as const;
const BUCKET = "aws:s3/bucket:Bucket";

/** The managed policies attached to `roleName`, as IAM would evaluate them. */
function attachedDocuments(recorder: ResourceRecorder, roleName: string): PolicyDocument[] {
  const policies = new Map(
    recorder
      .ofType("aws:iam/policy:Policy")
      .map((p) => [`arn:aws:iam::${ACCOUNT}:policy/${p.inputs.name}`, p]),
  );
  return recorder
    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    .filter((a) => a.inputs.role === roleName)
    .map((a) => policies.get(a.inputs.policyArn))
    .filter((p) => p !== undefined)
    .map((p) => JSON.parse(p!.inputs.policy) as PolicyDocument);
}

/** What the needs table must know about the run: names, account, and references resolved. */
function stackFacts(recorder: ResourceRecorder, stack: string): StackFacts {
  const buckets = new Map<string, string>();
  for (const bucket of recorder.ofType(BUCKET)) {
    const physical = `${bucket.inputs.bucketPrefix}e2generated0id`;
    // The mocks' id and outputs of a bucket (test/mocks.ts), as the other resources reference it.
    for (const reference of [
      `${bucket.name}-id`,
      `${bucket.name}-bucket`,
      `${bucket.name}-bucket.s3.amazonaws.com`,
    ])
      buckets.set(reference, physical);
  }
  const provider = recorder.one("pulumi:providers:aws").inputs;
  return {
    namePrefix: `ppi-${stack}`,
    accountId: ACCOUNT,
    region: provider.region,
    defaultTags: providerDefaultTags(provider),
    bucketName: (reference) => {
      const name = buckets.get(reference);
      if (!name) throw new Error(`no bucket of the stack is referenced as ${reference}`);
      return name;
    },
    roleBoundary: (roleName) =>
      recorder.ofType("aws:iam/role:Role").find((r) => r.inputs.name === roleName)?.inputs
        .permissionsBoundary,
  };
}

/** The provider's default tags; Pulumi hands nested provider inputs over as JSON strings. */
function providerDefaultTags(inputs: Readonly<Record<string, unknown>>): Record<string, string> {
  const raw = inputs.defaultTags;
  const parsed = (typeof raw === "string" ? JSON.parse(raw) : raw) as
    { tags?: Record<string, string> } | undefined;
  return parsed?.tags ?? {};
}

/** Every resource that reaches a cloud API: custom resources and remote (awsx) components. */
function declaredResources(recorder: ResourceRecorder): DeclaredResource[] {
  return recorder.resources.filter(
    (r) => !r.type.startsWith("python-package-index:") && r.type !== "pulumi:pulumi:Stack",
  );
}

interface Gap {
  readonly resource: string;
  readonly request: string;
  readonly decision: Decision;
}

/** Requests the deployer's policies decide otherwise than the needs table requires. */
function coverageGaps(
  run: ProgramRun,
  stack: string,
  documents: readonly PolicyDocument[],
  facts: StackFacts = stackFacts(run.recorder, stack),
): Gap[] {
  const gaps: Gap[] = [];
  const check = (resource: DeclaredResource, requests: readonly AccessRequest[], allowed: boolean) => {
    for (const request of requests) {
      const decision = evaluate(documents, request);
      if ((decision === "allowed") !== allowed) {
        gaps.push({
          resource: `${resource.type} ${resource.name}`,
          request: `${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})}`,
          decision,
        });
      }
    }
  };
  for (const resource of declaredResources(run.recorder)) {
    const needs = needsOf(resource, facts);
    if (needs.manager === "deployer") check(resource, needs.requests, true);
    if (needs.manager === "administrator") {
      check(resource, needs.writes, false);
      check(resource, needs.reads, true);
    }
  }
  return gaps;
}

const withoutSid = (documents: readonly PolicyDocument[], sid: string) =>
  documents.map((d) => policyDocument(d.Statement.filter((s: PolicyStatement) => s.Sid !== sid)));

describe("program: the deployer can deploy every stack", () => {
  const runs = new Map<string, ProgramRun>();
  const deployerDocuments = (stack: string) =>
    attachedDocuments(runs.get(stack)!.recorder, `ppi-${stack}-deployer`);
  before(async () => {
    for (const stack of STACKS) runs.set(stack, await runProgram(stack));
  });

  it("the stack files together declare every optional part (domain, WAF, logs, replicas, both VPC modes)", () => {
    const types = new Set(
      STACKS.flatMap((stack) => declaredResources(runs.get(stack)!.recorder).map((r) => r.type)),
    );
    for (const type of [
      "aws:acm/certificate:Certificate",
      "aws:acm/certificateValidation:CertificateValidation",
      "aws:route53/record:Record",
      "aws:wafv2/webAcl:WebAcl",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      "aws:ec2/securityGroup:SecurityGroup",
      "awsx:ec2:Vpc",
      "aws:codeartifact/domainPermissions:DomainPermissions",
      "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy",
    ]) {
      expect(types.has(type), type).to.equal(true);
    }
    const logBuckets = runs
      .get("prod")!
      .recorder.ofType(BUCKET)
      .map((b) => b.inputs.bucketPrefix);
    expect(logBuckets).to.include("ppi-prod-logs-");
    const table = runs.get("prod")!.recorder.one("aws:dynamodb/table:Table").inputs;
    expect(table.replicas.map((r: { regionName: string }) => r.regionName)).to.deep.equal(["eu-west-1"]);
  });

  for (const stack of STACKS) {
    it(`${stack}: the deployer is granted every action of every resource it manages, and none of the administrator's`, () => {
      expect(coverageGaps(runs.get(stack)!, stack, deployerDocuments(stack))).to.deep.equal([]);
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

    it(`${stack}: the edge function's role carries the stack's boundary; the CI roles are the administrator's`, () => {
      const roles = runs.get(stack)!.recorder.ofType("aws:iam/role:Role");
      const boundaries = Object.fromEntries(roles.map((r) => [r.inputs.name, r.inputs.permissionsBoundary]));
      expect(boundaries).to.deep.equal({
        [`ppi-${stack}-viewer-request`]: `arn:aws:iam::${ACCOUNT}:policy/ppi-${stack}-boundary`,
        [`ppi-${stack}-deployer`]: undefined,
        [`ppi-${stack}-previewer`]: undefined,
        [`ppi-${stack}-publisher`]: undefined,
      });
    });

    it(`${stack}: the boundary allows exactly what the edge function's role needs`, () => {
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
        ],
      });
    });
  }

  it("the edge function's inline policy stays inside the boundary", () => {
    const { recorder } = runs.get("prod")!;
    const boundary = JSON.parse(
      recorder.ofType("aws:iam/policy:Policy").find((p) => p.inputs.name === "ppi-prod-boundary")!.inputs
        .policy,
    ) as PolicyDocument;
    const inline = JSON.parse(recorder.one("aws:iam/rolePolicy:RolePolicy").inputs.policy) as PolicyDocument;
    for (const statement of inline.Statement) {
      for (const action of [statement.Action].flat()) {
        for (const resource of [statement.Resource].flat()) {
          const request = { action: action!, resource: resource! };
          expect(evaluate([boundary], request), `${action} on ${resource}`).to.equal("allowed");
        }
      }
    }
  });

  it("a deployer policy missing a statement fails the coverage, naming the resource and the action", () => {
    const gaps = coverageGaps(
      runs.get("prod")!,
      "prod",
      withoutSid(deployerDocuments("prod"), "ManageStackWebAcl"),
    );
    expect(gaps.map((g) => g.resource)).to.include("aws:wafv2/webAcl:WebAcl index-waf");
    expect(gaps.map((g) => g.request.split(" ")[0])).to.include.members([
      "wafv2:CreateWebACL",
      "wafv2:DeleteWebACL",
    ]);
  });

  it("resources created without the Stack tag fail the coverage: the deployer may create only tagged ones", () => {
    const denied = STACKS.flatMap((stack) => {
      const run = runs.get(stack)!;
      const untagged = { ...stackFacts(run.recorder, stack), defaultTags: {} };
      return coverageGaps(run, stack, deployerDocuments(stack), untagged).map((g) => g.request.split(" ")[0]);
    });
    expect(denied).to.include.members([
      "cloudfront:CreateDistributionWithTags",
      "cloudfront:UpdateDistribution",
      "acm:RequestCertificate",
      "acm:DeleteCertificate",
      "kms:CreateKey",
      "kms:ScheduleKeyDeletion",
      "ec2:CreateVpcEndpoint",
      "ec2:DeleteVpcEndpoints",
      "ec2:AuthorizeSecurityGroupIngress",
    ]);
  });

  it("a deployer able to change a CI role fails the coverage", () => {
    const gaps = coverageGaps(
      runs.get("dev")!,
      "dev",
      withoutSid(deployerDocuments("dev"), "DenyCiRoleChanges"),
    );
    expect(gaps.map((g) => `${g.request.split(" ")[0]} ${g.decision}`)).to.include(
      "iam:UpdateAssumeRolePolicy allowed",
    );
  });

  it("an unknown resource type fails with a message telling the developer to add it to the table", () => {
    const facts = stackFacts(runs.get("dev")!.recorder, "dev");
    expect(() =>
      needsOf({ type: "aws:sqs/queue:Queue", name: "jobs", inputs: { name: "ppi-dev-jobs" } }, facts),
    ).to.throw(
      /No IAM needs are known for resource type aws:sqs\/queue:Queue \(jobs\): add it to DEPLOYER_NEEDS in rules\/deployerNeeds.ts/,
    );
  });
});
