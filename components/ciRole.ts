import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "./policies/document";
import { CI_SESSION_SECONDS } from "../domain/oidc";
import { checkCiSessionSeconds } from "./validation";

export interface CiRoleArgs {
  /** Physical role name, `ppi-<stack>-<purpose>`; its managed policies are named `<roleName>-<key>`. */
  readonly roleName: string;
  readonly description: string;
  /** Who may assume the role: build it with `oidcTrustPolicy`. */
  readonly assumeRolePolicy: pulumi.Input<PolicyDocument>;
  /**
   * Managed policies to create and attach, by name suffix. Plain keys: they name resources.
   * Each document must stay within IAM's 6,144-character limit for managed policies.
   */
  readonly policies: Readonly<Record<string, pulumi.Input<PolicyDocument>>>;
  /** Existing managed policies to attach too (e.g. CodeArtifact publishing). @default [] */
  readonly additionalPolicyArns?: readonly pulumi.Input<string>[];
  /** Longest session CI can ask for, 900-3600 seconds. @default 3600 */
  readonly maxSessionDuration?: number;
}

const ROLE_NAME_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const POLICY_KEY_PATTERN = /^[a-z0-9-]{1,20}$/;

/** A role CI assumes through OIDC, with its own managed policies and a one-hour session cap. */
export class CiRole extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: CiRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `CiRole ${name}`;
    if (!ROLE_NAME_PATTERN.test(args.roleName)) {
      throw new Error(
        `${context}: roleName ${JSON.stringify(args.roleName)} must be 1-64 characters of letters, digits and +=,.@_-.`,
      );
    }
    const maxSessionDuration = args.maxSessionDuration ?? CI_SESSION_SECONDS.max;
    checkCiSessionSeconds(context, "maxSessionDuration", maxSessionDuration);
    const keys = Object.keys(args.policies);
    const badKey = keys.find((key) => !POLICY_KEY_PATTERN.test(key));
    if (badKey !== undefined)
      throw new Error(
        `${context}: policy key ${JSON.stringify(badKey)} must be 1-20 lowercase letters, digits or dashes.`,
      );
    if (keys.length + (args.additionalPolicyArns?.length ?? 0) > 10) {
      throw new Error(
        `${context}: ${keys.length} policies plus ${args.additionalPolicyArns?.length} additional ARNs exceed IAM's 10 per role.`,
      );
    }
    super("python-package-index:oidc:CiRole", name, {}, opts);

    const role = new aws.iam.Role(
      name,
      {
        name: args.roleName,
        description: args.description,
        assumeRolePolicy: pulumi.output(args.assumeRolePolicy).apply((document) => JSON.stringify(document)),
        maxSessionDuration,
      },
      { parent: this },
    );
    const policyArns = Object.entries(args.policies).map(([key, document]) => {
      const policy = new aws.iam.Policy(
        `${name}-${key}`,
        { name: `${args.roleName}-${key}`, policy: pulumi.output(document).apply((d) => JSON.stringify(d)) },
        { parent: this },
      );
      return { key, arn: policy.arn as pulumi.Input<string> };
    });
    const additional = (args.additionalPolicyArns ?? []).map((arn, i) => ({ key: `additional-${i}`, arn }));
    for (const { key, arn } of [...policyArns, ...additional]) {
      new aws.iam.RolePolicyAttachment(
        `${name}-${key}`,
        { role: role.name, policyArn: arn },
        { parent: this },
      );
    }
    this.arn = role.arn;
    this.name = role.name;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
