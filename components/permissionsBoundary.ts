import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceRoleBoundaryPolicy } from "./policies/boundary";
import { boundaryPolicyName } from "./policies/stackScope";
import { Tags, checkTags, tagged } from "./tags";
import { checkNamePrefix } from "./validation";

export interface PermissionsBoundaryArgs {
  /**
   * `ppi-<stack>`: the policy is `<namePrefix>-boundary` and caps `<namePrefix>-*` tables and log
   * groups. Plain: the deployer policy names the same ARN, so both must be known at construction.
   */
  readonly namePrefix: string;
  /**
   * Tags of the policy, over the provider's default tags.
   * @default {}
   */
  readonly tags?: Tags;
}

/**
 * The managed policy every role the deployer may create must carry as permissions boundary
 * (`serviceRoleBoundaryPolicy`). Created by an administrator's run; the deployer may neither
 * change nor delete it, nor remove it from a role.
 */
export class PermissionsBoundary extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: PermissionsBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `PermissionsBoundary ${name}`;
    checkNamePrefix(context, args.namePrefix);
    checkTags(context, args.tags);
    super("python-package-index:iam:PermissionsBoundary", name, {}, opts);
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    this.policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        name: boundaryPolicyName(args.namePrefix),
        description: `Permissions boundary of every role the ${args.namePrefix} deployer creates.`,
        policy: caller.accountId.apply((accountId) =>
          JSON.stringify(serviceRoleBoundaryPolicy({ namePrefix: args.namePrefix, accountId })),
        ),
        ...tagged(args.tags),
      },
      { parent: this },
    );
    this.arn = this.policy.arn;
    this.name = this.policy.name;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
