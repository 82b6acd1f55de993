/**
 * The CI roles a stack declares, with their trust and attached managed policies, read from the
 * stack's resources (CrossGuard's state under `pulumi preview`, the mocks' state in tests).
 */
import { CI_ROLE_PURPOSES, CiRolePurpose } from "../../components/policies/stackScope";
import { RoleUnderReview } from "./roleRules";
import { StackResource, wellFormedPolicyDocument } from "./stackPolicies";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const CI_ROLE_NAME = new RegExp(`^(.+)-(${CI_ROLE_PURPOSES.join("|")})$`);

/** `<stack>` of a URN `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

/**
 * Every CI role (`<namePrefix>-deployer|previewer|publisher`) whose trust policy is known, with the
 * managed policies attached to it that the stack itself creates (others are checked where made).
 */
export function ciRolesUnderReview(resources: readonly StackResource[], stack: string): RoleUnderReview[] {
  const policies = new Map(
    resources
      .filter((r) => r.type === POLICY && typeof r.props.arn === "string")
      .map((p) => [p.props.arn as string, p]),
  );
  const attachments = resources.filter((r) => r.type === ATTACHMENT);
  return resources.flatMap((role): RoleUnderReview[] => {
    const match = role.type === ROLE ? CI_ROLE_NAME.exec(String(role.props.name ?? "")) : null;
    const trustPolicy = match ? wellFormedPolicyDocument(role.props.assumeRolePolicy) : undefined;
    if (!match || !trustPolicy) return [];
    const attached = attachments
      .filter((a) => a.props.role === role.props.name)
      .map((a) => policies.get(String(a.props.policyArn)))
      .filter((p): p is StackResource => p !== undefined);
    const permissionPolicies = Object.fromEntries(
      attached.flatMap((p) => {
        const document = wellFormedPolicyDocument(p.props.policy);
        return document ? [[String(p.props.name), document]] : [];
      }),
    );
    return [
      {
        name: String(role.props.name),
        purpose: match[2] as CiRolePurpose,
        stack,
        namePrefix: match[1],
        maxSessionDuration: role.props.maxSessionDuration as number | undefined,
        trustPolicy,
        permissionPolicies,
      },
    ];
  });
}
