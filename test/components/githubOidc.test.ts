import { expect } from "chai";
import { GithubOidc, GithubOidcArgs } from "../../components/githubOidc";
import { expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";

const GITHUB_ARN = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com";
const PULUMI_ARN = "arn:aws:iam::210987654321:oidc-provider/api.pulumi.com/oidc";
const LOOKUP = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
const PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

const lookupInvokes = {
  [LOOKUP]: (args: Record<string, string>) =>
    args.url === "https://token.actions.githubusercontent.com"
      ? {
          arn: GITHUB_ARN,
          url: args.url,
          clientIdLists: ["sts.amazonaws.com"],
          thumbprintLists: [],
          tags: {},
        }
      : { arn: PULUMI_ARN, url: args.url, clientIdLists: ["acme"], thumbprintLists: [], tags: {} },
};

describe("GithubOidc", () => {
  it("create: registers the GitHub provider with audience sts.amazonaws.com, kept on destroy", async () => {
    const recorder = await setupMocks();
    const oidc = new GithubOidc("oidc", { mode: "create" });
    expect(await valueOf(oidc.githubProviderArn)).to.equal(
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    );
    expect(await valueOf(oidc.accountId)).to.equal("123456789012");
    expect(oidc.pulumiProviderArn).to.equal(undefined);
    await settle();
    const provider = recorder.one(PROVIDER);
    expect(provider.name).to.equal("oidc-github");
    expect(provider.inputs).to.deep.equal({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(provider.retainOnDelete).to.equal(true);
  });

  it("create with a Pulumi organization: also the Pulumi Cloud provider, audience = the organization", async () => {
    const recorder = await setupMocks();
    const oidc = new GithubOidc("oidc", {
      mode: "create",
      pulumiOrganization: "acme",
      retainOnDelete: false,
    });
    expect(await valueOf(oidc.pulumiProviderArn!)).to.equal(
      "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
    );
    await settle();
    expect(recorder.ofType(PROVIDER).map((p) => [p.name, p.inputs, p.retainOnDelete])).to.deep.equal([
      [
        "oidc-github",
        { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] },
        false,
      ],
      ["oidc-pulumi", { url: "https://api.pulumi.com/oidc", clientIdLists: ["acme"] }, false],
    ]);
  });

  it("lookup: finds both providers by URL and creates nothing", async () => {
    const recorder = await setupMocks({ invokes: lookupInvokes });
    const oidc = new GithubOidc("oidc", { mode: "lookup", pulumiOrganization: "acme" });
    expect(await valueOf(oidc.githubProviderArn)).to.equal(GITHUB_ARN);
    expect(await valueOf(oidc.pulumiProviderArn!)).to.equal(PULUMI_ARN);
    expect(await valueOf(oidc.accountId)).to.equal("210987654321");
    await settle();
    expect(recorder.ofType(PROVIDER)).to.deep.equal([]);
  });

  it("lookup: refuses a provider that does not accept the audience", async () => {
    await setupMocks({ invokes: lookupInvokes });
    const oidc = new GithubOidc("oidc", { mode: "lookup", pulumiOrganization: "other-org" });
    const error = await valueOf(oidc.pulumiProviderArn!).then(
      () => undefined,
      (e: Error) => e,
    );
    // The first rejection to surface may be the component's output registration, which wraps the cause.
    expect(error?.message).to.match(/^valueOf: the output failed: /);
    expect(error?.message).to.contain(
      'The account\'s OIDC provider for https://api.pulumi.com/oidc does not accept audience "other-org" (it has ["acme"]); add it in the stack that creates the provider.',
    );
  });

  it("arn: references the given ARNs and creates nothing", async () => {
    const recorder = await setupMocks();
    const oidc = new GithubOidc("oidc", {
      mode: "arn",
      githubProviderArn: GITHUB_ARN,
      pulumiOrganization: "acme",
      pulumiProviderArn: PULUMI_ARN,
    });
    expect(await valueOf(oidc.githubProviderArn)).to.equal(GITHUB_ARN);
    expect(await valueOf(oidc.pulumiProviderArn!)).to.equal(PULUMI_ARN);
    await settle();
    expect(recorder.ofType(PROVIDER)).to.deep.equal([]);
  });

  const invalid: [string, GithubOidcArgs, string][] = [
    ["an unknown mode", { mode: "import" as never }, 'mode "import" must be "create", "arn" or "lookup".'],
    [
      "arn without the GitHub ARN",
      { mode: "arn" },
      'mode "arn" needs githubProviderArn (the account\'s token.actions.githubusercontent.com provider).',
    ],
    [
      "arn with Pulumi but without its ARN",
      { mode: "arn", githubProviderArn: GITHUB_ARN, pulumiOrganization: "acme" },
      'mode "arn" with pulumiOrganization needs pulumiProviderArn (the api.pulumi.com/oidc provider).',
    ],
    [
      "an ARN with create",
      { mode: "create", githubProviderArn: GITHUB_ARN },
      'provider ARNs are only used with mode "arn"; mode is "create".',
    ],
    [
      "a Pulumi ARN without an organization",
      { mode: "arn", githubProviderArn: GITHUB_ARN, pulumiProviderArn: PULUMI_ARN },
      "pulumiProviderArn is set but pulumiOrganization is not; set both or neither.",
    ],
  ];
  for (const [title, args, message] of invalid) {
    it(`rejects ${title} before registering anything`, () =>
      expectRefusedBeforeRegistering(() => new GithubOidc("oidc", args), `GithubOidc oidc: ${message}`));
  }
});
