/**
 * The project's security rules as CrossGuard policies: the rules of `resourceRules.ts`, the IAM
 * reference checks of every policy document, and the IAM rules of every CI role. `index.ts` serves
 * them to `pulumi preview --policy-pack policy-pack`; the tests call the same functions.
 */
import {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { REFERENCE_CHECKS, checkAgainstReference } from "./iam/referenceChecks";
import { IAM_RULES, checkRole } from "./iam/roleRules";
import { StackResource, declaredPolicy } from "./iam/stackPolicies";
import { ciRolesUnderReview, stackOfUrn } from "./iam/stackRoles";
import { RESOURCE_RULES, ResourceRule, STACK_RULES, StackRule } from "./resourceRules";

/** Stacks whose stateful resources must be protected, unless the pack's config says otherwise. */
export const DEFAULT_PROTECTED_STACKS = ["prod"];

interface PackConfig {
  readonly protectedStacks?: string[];
}

const configSchema = {
  properties: {
    protectedStacks: {
      type: "array" as const,
      items: { type: "string" as const },
      default: DEFAULT_PROTECTED_STACKS,
    },
  },
};

const asStackResource = (r: PolicyResource | ResourceValidationArgs): StackResource => ({
  type: r.type,
  name: r.name,
  props: r.props,
  protect: r.opts.protect,
  urn: r.urn,
});

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (!rule.types.includes(args.type)) return;
      for (const message of rule.check(args.props)) reportViolation(message);
    },
  };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: async (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const stack = stackOfUrn(args.resources[0]?.urn ?? "");
      if (!stack) return;
      const protectedStacks = args.getConfig<PackConfig>().protectedStacks ?? DEFAULT_PROTECTED_STACKS;
      const violations = await rule.check(args.resources.map(asStackResource), { stack, protectedStacks });
      for (const { message, urn } of violations) reportViolation(message, urn);
    },
  };
}

const iamReferencePolicy: ResourceValidationPolicy = {
  name: "iam-reference",
  description: Object.values(REFERENCE_CHECKS).join(" "),
  enforcementLevel: "mandatory",
  validateResource: async (args, reportViolation) => {
    let policy;
    try {
      policy = declaredPolicy(asStackResource(args));
    } catch (error) {
      reportViolation((error as Error).message);
      return;
    }
    if (!policy) return;
    for (const finding of await checkAgainstReference(policy.document, policy.kind)) {
      reportViolation(`${finding.check}: ${finding.message}`);
    }
  },
};

const iamCiRolesPolicy: StackValidationPolicy = {
  name: "iam-ci-roles",
  description: `Every CI role passes the IAM rules: ${IAM_RULES.map((r) => r.id).join(", ")}.`,
  enforcementLevel: "mandatory",
  validateStack: async (args, reportViolation) => {
    const stack = stackOfUrn(args.resources[0]?.urn ?? "");
    if (!stack) return;
    const resources = args.resources.map(asStackResource);
    const urnOf = (roleName: string) =>
      resources.find((r) => r.type === "aws:iam/role:Role" && r.props.name === roleName)?.urn;
    for (const role of ciRolesUnderReview(resources, stack)) {
      for (const finding of await checkRole(role)) {
        reportViolation(`${finding.rule}: ${finding.role}: ${finding.message}`, urnOf(role.name));
      }
    }
  },
};

export const POLICIES: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = [
  ...RESOURCE_RULES.map(resourcePolicy),
  iamReferencePolicy,
  ...STACK_RULES.map(stackPolicy),
  iamCiRolesPolicy,
];
