/**
 * The python-package-index policy pack (Pulumi CrossGuard), run by the preview workflow:
 * `pulumi preview --policy-pack policy-pack` (docs/iam-and-oidc.md, "IAM checks and the policy
 * pack"). Every policy is mandatory.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("python-package-index", {
  description:
    "Security rules of python-package-index: buckets, CDN, edge function, IAM on AWS's authorization data.",
  enforcementLevel: "mandatory",
  policies: [...POLICIES],
});
