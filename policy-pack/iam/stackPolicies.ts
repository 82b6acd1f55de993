/**
 * Every IAM document a stack declares, read from its resources' inputs the same way under
 * `pulumi preview` (CrossGuard) and under the mocked program (tests): identity policies, role
 * trust policies, and the resource policies of buckets, keys and CodeArtifact.
 */
import { PolicyDocument } from "../../components/policies/document";
import { PolicyKind } from "./referenceChecks";

/** A resource as both CrossGuard and the Pulumi mocks present it. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  /** Inputs (mocks, `validateResource`) or state (`validateStack`): the policy fields are the same. */
  readonly props: Readonly<Record<string, unknown>>;
  readonly protect?: boolean;
  readonly urn?: string;
}

/** Which property of which resource type holds which kind of policy. */
export const POLICY_PROPERTIES: Readonly<
  Record<string, { readonly property: string; readonly kind: PolicyKind }>
> = {
  "aws:iam/policy:Policy": { property: "policy", kind: "identity" },
  "aws:iam/rolePolicy:RolePolicy": { property: "policy", kind: "identity" },
  "aws:iam/role:Role": { property: "assumeRolePolicy", kind: "trust" },
  "aws:s3/bucketPolicy:BucketPolicy": { property: "policy", kind: "resource" },
  "aws:kms/key:Key": { property: "policy", kind: "resource" },
  "aws:codeartifact/domainPermissions:DomainPermissions": { property: "policyDocument", kind: "resource" },
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": {
    property: "policyDocument",
    kind: "resource",
  },
};

export interface DeclaredPolicy {
  /** `<type> <name>`, for messages. */
  readonly owner: string;
  readonly resource: StackResource;
  readonly kind: PolicyKind;
  readonly document: PolicyDocument;
}

/** A policy property as a document: JSON text or an object; undefined while unknown (preview). */
export function asPolicyDocument(value: unknown): PolicyDocument | undefined {
  if (value === undefined || value === null) return undefined;
  const shown = (typeof value === "string" ? value : JSON.stringify(value)).slice(0, 200);
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`not an IAM policy document (not JSON): ${shown}`);
    }
  }
  if (!Array.isArray((parsed as PolicyDocument | null)?.Statement)) {
    throw new Error(`not an IAM policy document (it has no Statement list): ${shown}`);
  }
  return parsed as PolicyDocument;
}

/** Like `asPolicyDocument`, but a malformed value is left to `iam-reference` to report: undefined. */
export function wellFormedPolicyDocument(value: unknown): PolicyDocument | undefined {
  try {
    return asPolicyDocument(value);
  } catch {
    return undefined;
  }
}

/** The policy a resource carries, if its type carries one and the value is known. */
export function declaredPolicy(resource: StackResource): DeclaredPolicy | undefined {
  const spec = POLICY_PROPERTIES[resource.type];
  if (!spec) return undefined;
  const document = asPolicyDocument(resource.props[spec.property]);
  return document
    ? { owner: `${resource.type} ${resource.name}`, resource, kind: spec.kind, document }
    : undefined;
}

export function declaredPolicies(resources: readonly StackResource[]): DeclaredPolicy[] {
  return resources.map(declaredPolicy).filter((policy): policy is DeclaredPolicy => policy !== undefined);
}
