import { expect } from "chai";
import { PolicyDocument } from "../../components/policies/document";
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
        production: stack === "prod",
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
    const prodTrust = rolesUnderReview(runs.get("prod")!.recorder, "prod").find(
      (r) => r.purpose === "deployer",
    )!.trustPolicy;
    expect(prodTrust.Statement.map((s) => (s.Principal as { Federated: string }).Federated)).to.deep.equal([
      GITHUB_PROVIDER,
      PULUMI_PROVIDER,
    ]);
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
    });
  }

  const expectedDeployerSubjects: Record<string, unknown> = {
    dev: {
      equals: ["repo:acme/python-package-index:ref:refs/heads/main"],
      like: undefined,
      notLike: undefined,
    },
    staging: {
      equals: undefined,
      like: [
        "repo:acme/python-package-index:ref:refs/tags/python-package-index@v*-staging",
        "repo:acme/python-package-index:environment:staging",
      ],
      notLike: undefined,
    },
    prod: {
      equals: undefined,
      like: [
        "repo:acme/python-package-index:ref:refs/tags/python-package-index@v*",
        "repo:acme/python-package-index:environment:prod",
      ],
      notLike: ["repo:acme/python-package-index:ref:refs/tags/python-package-index@v*-staging"],
    },
  };
  for (const [stack, subjects] of Object.entries(expectedDeployerSubjects)) {
    it(`${stack}: the deployer trusts exactly its stack's jobs and Pulumi Deployments of ${stack}`, () => {
      const deployer = rolesUnderReview(runs.get(stack)!.recorder, stack).find(
        (r) => r.purpose === "deployer",
      )!;
      expect(githubSubjects(deployer)).to.deep.equal(subjects);
      expect(deployer.trustPolicy.Statement[1].Condition).to.deep.equal({
        StringEquals: {
          "api.pulumi.com/oidc:aud": "acme",
          "api.pulumi.com/oidc:sub": ["preview", "update", "refresh"].map(
            (op) =>
              `pulumi:deploy:org:acme:project:python-package-index:stack:${stack}:operation:${op}:scope:write`,
          ),
        },
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

  it("prod: the deploy environment waits for the configured team and allows release tags only", () => {
    const { recorder } = runs.get("prod")!;
    const environment = recorder.one(
      "github:index/repositoryEnvironment:RepositoryEnvironment",
      "github-prod",
    );
    expect(environment.inputs).to.deep.include({
      repository: "python-package-index",
      environment: "prod",
      reviewers: [{ users: [], teams: [4567890] }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    const refs = recorder
      .ofType("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")
      .filter((p) => p.inputs.repository === "python-package-index");
    expect(refs.map((p) => p.inputs.tagPattern)).to.deep.equal(["python-package-index@v*"]);
    const variables = recorder
      .ofType("github:index/actionsVariable:ActionsVariable")
      .map((v) => [v.inputs.variableName, v.inputs.value]);
    expect(variables).to.deep.equal([
      ["AWS_DEPLOYER_ROLE_ARN_PROD", `arn:aws:iam::${ACCOUNT}:role/ppi-prod-deployer`],
      ["AWS_PREVIEWER_ROLE_ARN_PROD", `arn:aws:iam::${ACCOUNT}:role/ppi-prod-previewer`],
    ]);
  });
});
