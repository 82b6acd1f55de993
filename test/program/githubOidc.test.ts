import { expect } from "chai";
import { PolicyDocument } from "../../components/policies/document";
import { DEPLOY_STACKS } from "../../domain/delivery";
import { checkRole, CiRolePurpose, RoleUnderReview } from "../../rules/iam";
import { RecordedResource, ResourceRecorder } from "../mocks";
import { runProgram } from "../support/program";

const ACCOUNT = "123456789012";
const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/** Every CI role the run created, with the managed policies attached to it, ready for the rules. */
function rolesUnderReview(recorder: ResourceRecorder, stack: string): RoleUnderReview[] {
  const policies = new Map(
    recorder
      .ofType("aws:iam/policy:Policy")
      .map((p) => [`arn:aws:iam::${ACCOUNT}:policy/${p.inputs.name}`, p]),
  );
  const attachments = recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
  return recorder
    .ofType("aws:iam/role:Role")
    .filter((role) => /-(deployer|previewer|publisher)$/.test(role.inputs.name))
    .map((role: RecordedResource) => {
      const attached = attachments
        .filter((a) => a.inputs.role === role.inputs.name)
        .map((a) => policies.get(a.inputs.policyArn));
      return {
        name: role.inputs.name,
        purpose: role.inputs.name.split("-").pop() as CiRolePurpose,
        stack,
        namePrefix: `ppi-${stack}`,
        maxSessionDuration: role.inputs.maxSessionDuration,
        trustPolicy: JSON.parse(role.inputs.assumeRolePolicy) as PolicyDocument,
        // Policies not created here (CodeArtifact's) are checked by their own component's tests.
        permissionPolicies: Object.fromEntries(
          attached
            .filter((p) => p !== undefined)
            .map((p) => [p!.inputs.name, JSON.parse(p!.inputs.policy) as PolicyDocument]),
        ),
      };
    });
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
    it(`${stack}: every CI role passes every IAM rule`, () => {
      const roles = rolesUnderReview(runs.get(stack)!.recorder, stack);
      expect(roles.map((r) => r.purpose).sort()).to.deep.equal(["deployer", "previewer", "publisher"]);
      for (const role of roles) {
        expect(checkRole(role), role.name).to.deep.equal([]);
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
    expect(index.Statement[0].Resource).to.deep.equal([
      `arn:aws:s3:::${runs.get("prod")!.outputs.bucketName}/acme/*`,
    ]);
    expect(index.Statement[1].Condition).to.deep.equal({ StringLike: { "s3:prefix": ["acme/*"] } });
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
