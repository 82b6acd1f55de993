import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { deployTeam, PREVIEW_TEAM } from "./pulumiTeams";
import { DeployStack } from "../domain/delivery";
import { GITHUB_OIDC_URL } from "../domain/oidc";

/** Pulumi Cloud stack permission levels (`TeamStackPermissionScope`). */
const STACK_READ = 101;
const STACK_WRITE = 102;

export interface GithubTokenExchangeArgs {
  /** Pulumi Cloud organization that accepts the GitHub tokens. */
  readonly organization: string;
  /** Pulumi project of the stacks the teams get access to. */
  readonly project: string;
  /**
   * Repository (`org/repo`) whose workflows may exchange their OIDC token for a Pulumi token. Plain:
   * it is validated and spelled into the exact `sub` claims the policies allow.
   */
  readonly repository: string;
  /**
   * Stacks deployed by this repository's workflows. Each one's deploy job runs in the GitHub
   * environment of the same name (`repo:ORG/REPO:environment:<stack>`), behind its protection rules,
   * and gets a token of a team that may write that stack only. Pull-request jobs
   * (`repo:ORG/REPO:pull_request`) get a token of a team that may only read them (previews).
   */
  readonly stacks: readonly DeployStack[];
  /**
   * Longest life of an exchanged Pulumi token, in seconds.
   * @default 3600
   */
  readonly maxTokenSeconds?: number;
}

/**
 * Registers GitHub Actions as an OIDC issuer of the Pulumi organization, so workflows exchange their
 * job token for a short-lived Pulumi token (`pulumi/auth-actions`) instead of storing a long-lived
 * PULUMI_ACCESS_TOKEN. Tokens are team tokens, never organization tokens: an organization token in
 * a pull-request job could start a prod deployment (and so run any commit with the prod deployer
 * role) without passing the prod environment's reviewers. Team tokens need the Enterprise or
 * Business Critical edition of Pulumi Cloud.
 */
export class GithubTokenExchange extends pulumi.ComponentResource {
  /** The Pulumi Cloud id of the registered issuer. */
  readonly issuerId: pulumi.Output<string>;
  /** Allowed `sub` claim → the team whose token it receives, for review and tests. */
  readonly subjectTeams: Readonly<Record<string, string>>;

  constructor(name: string, args: GithubTokenExchangeArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(args.repository)) {
      throw new Error(
        `GithubTokenExchange ${name}: repository is ${JSON.stringify(args.repository)}; expected org/repo`,
      );
    }
    if (args.stacks.length === 0) {
      throw new Error(
        `GithubTokenExchange ${name}: stacks is empty; expected the stacks the workflows deploy`,
      );
    }
    const maxTokenSeconds = args.maxTokenSeconds ?? 3600;
    if (!Number.isInteger(maxTokenSeconds) || maxTokenSeconds < 300 || maxTokenSeconds > 7200) {
      throw new Error(
        `GithubTokenExchange ${name}: maxTokenSeconds is ${maxTokenSeconds}; expected 300 to 7200`,
      );
    }
    super("python-package-index:delivery:GithubTokenExchange", name, {}, opts);

    const team = (teamName: string, description: string, grants: ReadonlyArray<[DeployStack, number]>) => {
      const created = new pulumiservice.Team(
        `${name}-${teamName}`,
        {
          organizationName: args.organization,
          teamType: "pulumi",
          name: teamName,
          displayName: teamName,
          description,
        },
        { parent: this },
      );
      for (const [stack, permission] of grants) {
        new pulumiservice.TeamStackPermission(
          `${name}-${teamName}-${stack}`,
          {
            organization: args.organization,
            project: args.project,
            stack,
            team: created.name.apply((n) => n ?? teamName),
            permission: permission as pulumiservice.TeamStackPermissionScope,
          },
          { parent: this },
        );
      }
    };

    const repo = `repo:${args.repository}`;
    const subjectTeams: Record<string, string> = {};
    for (const stack of args.stacks) {
      team(deployTeam(stack), `GitHub deploy jobs of ${args.repository} (environment ${stack})`, [
        [stack, STACK_WRITE],
      ]);
      subjectTeams[`${repo}:environment:${stack}`] = deployTeam(stack);
    }
    team(
      PREVIEW_TEAM,
      `GitHub pull-request previews of ${args.repository}`,
      args.stacks.map((stack) => [stack, STACK_READ]),
    );
    subjectTeams[`${repo}:pull_request`] = PREVIEW_TEAM;
    this.subjectTeams = subjectTeams;

    const issuer = new pulumiservice.OidcIssuer(
      `${name}-issuer`,
      {
        organization: args.organization,
        name: `github-actions-${args.repository.replace("/", "-")}`,
        url: GITHUB_OIDC_URL,
        maxExpirationSeconds: maxTokenSeconds,
        policies: Object.entries(subjectTeams).map(([sub, teamName]) => ({
          decision: "allow",
          tokenType: "team",
          teamName,
          rules: { aud: `urn:pulumi:org:${args.organization}`, sub },
        })),
      },
      { parent: this },
    );

    this.issuerId = issuer.id;
    this.registerOutputs({ issuerId: this.issuerId });
  }
}
