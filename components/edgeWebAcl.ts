import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkNamePrefix, checkWholeNumber } from "./validation";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

/** Checks a rate-based rule's limit against WAF's bounds (requests per 5-minute window per client IP). */
export function checkRateLimit(context: string, field: string, value: number): void {
  checkWholeNumber(context, field, value, 10, 2_000_000_000);
}

/**
 * AWS managed rule groups evaluated before the rate rule. Both suit a package index: its clients
 * send body-less GETs with the ordinary user agents of pip, uv or poetry, which these do not block.
 */
const MANAGED_RULE_GROUPS = ["AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"] as const;

export interface EdgeWebAclArgs {
  /** Physical name prefix, e.g. `ppi-prod`; the web ACL is `<namePrefix>-index`. */
  readonly namePrefix: string;
  /**
   * Requests per 5 minutes from one client IP before WAF blocks it. Plain data: validated at
   * construction against WAF's bounds.
   */
  readonly rateLimit: number;
}

function visibility(metricName: string): aws.types.input.wafv2.WebAclVisibilityConfig {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/**
 * A WAFv2 web ACL for the index distribution: AWS managed rule groups against known exploits,
 * then a per-IP rate-based block. Everything else is allowed (authentication is the edge
 * function's job).
 */
export class EdgeWebAcl extends pulumi.ComponentResource {
  /** The ARN CloudFront expects as `webAclId`. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EdgeWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    checkNamePrefix(`EdgeWebAcl ${name}`, args.namePrefix);
    checkRateLimit(`EdgeWebAcl ${name}`, "rateLimit", args.rateLimit);
    super("python-package-index:edge:EdgeWebAcl", name, {}, opts);
    const aclName = `${args.namePrefix}-index`;

    const managedRules: aws.types.input.wafv2.WebAclRule[] = MANAGED_RULE_GROUPS.map((group, priority) => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${aclName}-${group}`),
    }));
    const rateRule: aws.types.input.wafv2.WebAclRule = {
      name: "rate-limit-per-ip",
      priority: MANAGED_RULE_GROUPS.length,
      action: { block: {} },
      statement: {
        rateBasedStatement: { aggregateKeyType: "IP", limit: args.rateLimit, evaluationWindowSec: 300 },
      },
      visibilityConfig: visibility(`${aclName}-rate-limit-per-ip`),
    };

    const webAcl = new aws.wafv2.WebAcl(
      name,
      {
        region: CLOUDFRONT_REGION,
        name: aclName,
        description: "Managed protections and a per-IP rate limit in front of the package index.",
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        rules: [...managedRules, rateRule],
        visibilityConfig: visibility(aclName),
      },
      { parent: this },
    );

    this.arn = webAcl.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
