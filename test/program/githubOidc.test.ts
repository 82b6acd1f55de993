import { expect } from "chai";
import { DEPLOY_STACKS } from "../../domain/delivery";
import { checkRole, RoleUnderReview } from "../../policy-pack/iam/roleRules";
import { ciRolesUnderReview } from "../../policy-pack/iam/stackRoles";
import { ResourceRecorder } from "../mocks";
import { runProgram } from "../support/program";

const ACCOUNT = "123456789012";
const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/** Every CI role the run created, with the managed policies attached to it, ready for the rules. */
function rolesUnderReview(recorder: ResourceRecorder, stack: string): RoleUnderReview[] {
  const resources = recorder.resources.map((r) => ({ type: r.type, name: r.name, props: r.outputs }));
  return ciRolesUnderReview(resources, stack);
}

function githubSubjects(role: RoleUnderReview): unknown {
  const condition = role.trustPolicy.Statement[0].Condition!;
  return {
    equals: condition.StringEquals?.["token.actions.githubusercontent.com:sub"],
    like: condition.StringLike?.["token.actions.githubusercontent.com:sub"],
    notLike: condition.StringNotLike?.["token.actions.githubusercontent.com:sub"],
  };
}

describe("program: GitHub OIDC and CI roles", () => {
  const runs = new Map<string, Awaited<ReturnType<typeof runProgram>>>();
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) runs.set(stack, await runProgram(stack));
  });

  it("staging and prod (one AWS account) create each OIDC provider exactly once; dev creates its own", () => {
    const created = (stack: string) =>
      runs
        .get(stack)!
        .recorder.ofType(OIDC_PROVIDER)
        .map((p) => p.inputs.url);
    expect([...created("staging"), ...created("prod")].sort()).to.deep.equal([
      "https://api.pulumi.com/oidc",
      "https://token.actions.githubusercontent.com",
    ]);
    expect(created("prod")).to.deep.equal([]);
    expect(created("dev").sort()).to.deep.equal([
      "https://api.pulumi.com/oidc",
      "https://token.actions.githubusercontent.com",
    ]);
    for (const stack of ["dev", "staging"]) {
      for (const provider of runs.get(stack)!.recorder.ofType(OIDC_PROVIDER))
        expect(provider.retainOnDelete).to.equal(true);
    }
  });

  it("prod references the providers staging creates, at the ARNs IAM gives them", () => {
    const prodRoles = rolesUnderReview(runs.get("prod")!.recorder, "prod");
    const principals = (purpose: string) =>
      prodRoles
        .find((r) => r.purpose === purpose)!
        .trustPolicy.Statement.map((s) => (s.Principal as { Federated: string }).Federated);
    expect(principals("deployer")).to.deep.equal([PULUMI_PROVIDER]);
    expect(principals("publisher")).to.deep.equal([GITHUB_PROVIDER]);
    expect(runs.get("prod")!.outputs.githubOidcProviderArn).to.equal(GITHUB_PROVIDER);
    expect(runs.get("staging")!.outputs.githubOidcProviderArn).to.equal(GITHUB_PROVIDER);
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: every CI role passes every IAM rule`, async () => {
      const roles = rolesUnderReview(runs.get(stack)!.recorder, stack);
      expect(roles.map((r) => r.purpose).sort()).to.deep.equal(["deployer", "previewer", "publisher"]);
      for (const role of roles) {
        expect(await checkRole(role), role.name).to.deep.equal([]);
        expect(Object.keys(role.permissionPolicies).length, role.name).to.be.greaterThan(0);
      }
    });

    it(`${stack}: exports the role ARNs`, () => {
      const { outputs } = runs.get(stack)!;
      for (const purpose of ["deployer", "previewer", "publisher"]) {
        expect(outputs[`${purpose}RoleArn`]).to.equal(`arn:aws:iam::${ACCOUNT}:role/ppi-${stack}-${purpose}`);
      }
      // deployments/ gives each of them the environment <stack> with the stack's variables.
      expect(outputs.packageRepositories).to.deep.equal(["acme/acme-utils", "acme/acme-models"]);
    });
  }

  for (const stack of DEPLOY_STACKS) {
    it(`${stack}: only Pulumi Deployments of ${stack} may assume the deployer (no GitHub job)`, () => {
      const deployer = rolesUnderReview(runs.get(stack)!.recorder, stack).find(
        (r) => r.purpose === "deployer",
      )!;
      expect(deployer.trustPolicy.Statement).to.have.length(1);
      expect(deployer.trustPolicy.Statement[0].Condition).to.deep.equal({
        StringEquals: {
          "api.pulumi.com/oidc:aud": "acme",
          "api.pulumi.com/oidc:sub": ["preview", "update", "refresh"].map(
            (op) =>
              `pulumi:deploy:org:acme:project:python-package-index:stack:${stack}:operation:${op}:scope:write`,
          ),
        },
      });
    });

    it(`${stack}: the publisher trusts only the package repositories' environment ${stack}`, () => {
      const publisher = rolesUnderReview(runs.get(stack)!.recorder, stack).find(
        (r) => r.purpose === "publisher",
      )!;
      expect(publisher.trustPolicy.Statement).to.have.length(1);
      expect(githubSubjects(publisher)).to.deep.equal({
        equals: ["acme/acme-utils", "acme/acme-models"].map((repo) => `repo:${repo}:environment:${stack}`),
        like: undefined,
        notLike: undefined,
      });
    });

    it(`${stack}: the previewer trusts only pull requests of the infrastructure repository`, () => {
      const previewer = rolesUnderReview(runs.get(stack)!.recorder, stack).find(
        (r) => r.purpose === "previewer",
      )!;
      expect(previewer.trustPolicy.Statement).to.have.length(1);
      expect(githubSubjects(previewer)).to.deep.equal({
        equals: ["repo:acme/python-package-index:pull_request"],
        like: undefined,
        notLike: undefined,
      });
    });
  }

  it("prod: the publisher writes only the acme prefix and also gets CodeArtifact publishing", () => {
    const { recorder } = runs.get("prod")!;
    const publisher = rolesUnderReview(recorder, "prod").find((r) => r.purpose === "publisher")!;
    const index = publisher.permissionPolicies["ppi-prod-publisher-index"];
    const bucket = `arn:aws:s3:::${runs.get("prod")!.outputs.bucketName}`;
    const statement = (sid: string) => index.Statement.find((s) => s.Sid === sid)!;
    expect(statement("ReadTenantObjects").Resource).to.deep.equal([`${bucket}/acme/*`]);
    expect(statement("WriteTenantPages").Resource).to.deep.equal([
      `${bucket}/acme/*/simple/index.html`,
      `${bucket}/acme/*/simple/*/index.html`,
      `${bucket}/acme/*/simple/index.json`,
      `${bucket}/acme/*/simple/*/index.json`,
    ]);
    expect(statement("CreateTenantFiles")).to.deep.include({
      Resource: [`${bucket}/acme/*/files/*/*`],
      Condition: { StringEquals: { "s3:if-none-match": "*" } },
    });
    expect(statement("TagBranchChannelObjects").Resource).to.deep.equal([`${bucket}/acme/*`]);
    expect(statement("DenyTaggingMainChannel").Resource).to.deep.equal([`${bucket}/acme/main/*`]);
    expect(statement("ListTenantObjects").Condition).to.deep.equal({
      StringLike: { "s3:prefix": ["acme/*"] },
    });
    const codeArtifactPolicy = recorder
      .ofType("aws:iam/policy:Policy")
      .find((p) => p.inputs.name === "ppi-prod-codeartifact-publisher");
    const attachments = recorder
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === "ppi-prod-publisher");
    expect(codeArtifactPolicy, "CodeArtifact publisher policy").to.not.equal(undefined);
    expect(attachments.map((a) => a.inputs.policyArn)).to.include(
      `arn:aws:iam::${ACCOUNT}:policy/ppi-prod-codeartifact-publisher`,
    );
  });
});
