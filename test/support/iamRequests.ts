/**
 * Turns what a mocked program declares into the requests AWS would authorize during `pulumi up`:
 * the actions come from `DEPLOYER_ACCESS`, the ARN formats and the condition keys AWS sets for
 * each action from the Service Authorization Reference (iam-data), the values from the resource.
 */
import { PolicyDocument } from "../../components/policies/document";
import {
  DeclaredResource,
  GENERATED_ID,
  Phase,
  ProviderCall,
  StackFacts,
  accessOf,
  regionOf,
} from "../../components/policies/deployerAccess";
import { STACK_TAG_KEY } from "../../components/policies/stackScope";
import { requireAction, resourceTypesNamedBy } from "../../policy-pack/iam/authorizationData";
import { requestContext } from "../../policy-pack/iam/requestContext";
import { AccessRequest } from "../../policy-pack/iam/simulate";
import { ResourceRecorder } from "../mocks";

export const ACCOUNT = "123456789012";

/** Every resource that reaches a cloud API: custom resources and remote (awsx) components. */
export function declaredResources(recorder: ResourceRecorder): DeclaredResource[] {
  return recorder.resources
    .filter((r) => !r.type.startsWith("python-package-index:") && r.type !== "pulumi:pulumi:Stack")
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, outputs: r.outputs }));
}

/** The provider's default tags; Pulumi hands nested provider inputs over as JSON strings. */
export function providerDefaultTags(inputs: Readonly<Record<string, unknown>>): Record<string, string> {
  const raw = inputs.defaultTags;
  const parsed = (typeof raw === "string" ? JSON.parse(raw) : raw) as
    { tags?: Record<string, string> } | undefined;
  return parsed?.tags ?? {};
}

/** What the table needs about a mocked run: names, account, default tags, references resolved. */
export function stackFacts(recorder: ResourceRecorder, stack: string): StackFacts {
  const buckets = new Map<string, string>();
  for (const bucket of recorder.ofType("aws:s3/bucket:Bucket")) {
    // S3 appends a generated suffix to the prefix; the mocks' id and outputs stand for that bucket.
    const physical = `${bucket.inputs.bucketPrefix}${GENERATED_ID.toLowerCase()}`;
    for (const reference of [`${bucket.name}-id`, bucket.outputs.bucket, bucket.outputs.bucketDomainName])
      buckets.set(reference, physical);
  }
  const provider = recorder.one("pulumi:providers:aws").inputs;
  return {
    namePrefix: `ppi-${stack}`,
    accountId: ACCOUNT,
    region: provider.region,
    defaultTags: providerDefaultTags(provider),
    bucketName: (reference) => {
      const name = buckets.get(reference);
      if (!name) throw new Error(`no bucket of the stack is referenced as ${reference}`);
      return name;
    },
    roleBoundary: (roleName) =>
      recorder.ofType("aws:iam/role:Role").find((r) => r.inputs.name === roleName)?.inputs
        .permissionsBoundary,
  };
}

/** The managed and inline policies of `roleName`, as IAM evaluates them together. */
export function rolePolicies(recorder: ResourceRecorder, roleName: string): PolicyDocument[] {
  const managed = new Map(
    recorder
      .ofType("aws:iam/policy:Policy")
      .map((p) => [`arn:aws:iam::${ACCOUNT}:policy/${p.inputs.name}`, p]),
  );
  const attached = recorder
    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    .filter((a) => a.inputs.role === roleName)
    .map((a) => managed.get(a.inputs.policyArn)?.inputs.policy as string | undefined);
  const inline = recorder
    .ofType("aws:iam/rolePolicy:RolePolicy")
    .filter((p) => p.inputs.role === roleName)
    .map((p) => p.inputs.policy as string);
  return [...attached, ...inline]
    .filter((policy): policy is string => policy !== undefined)
    .map((policy) => JSON.parse(policy) as PolicyDocument);
}

export interface TableRequest {
  readonly resource: string;
  readonly call: ProviderCall;
  readonly request: AccessRequest;
  /** The target's own policy when IAM evaluates one (a KMS key policy). */
  readonly resourcePolicy?: PolicyDocument;
}

/** The tags a request sets or its target carries in each phase (see `Phase`). */
function phaseTags(phase: Phase, tags: Readonly<Record<string, string>>) {
  const withoutStack = Object.fromEntries(Object.entries(tags).filter(([key]) => key !== STACK_TAG_KEY));
  return {
    request: phase === "create" ? tags : phase === "tagging" ? withoutStack : undefined,
    resource: phase === "create" ? undefined : tags,
  };
}

/** Every request the table says `pulumi up` makes for one declared resource. */
export async function tableRequests(resource: DeclaredResource, facts: StackFacts): Promise<TableRequest[]> {
  const access = accessOf(resource);
  const requests: TableRequest[] = [];
  for (const call of access.calls) {
    if (call.appliesTo && !call.appliesTo(resource, facts)) continue;
    const region = (call.region ?? access.region ?? regionOf)(resource, facts);
    for (const action of call.actions) {
      const reference = await requireAction(action);
      const own = (call.target ?? access.arn)?.(resource, facts);
      const target = reference.wildcardOnly ? "*" : own;
      if (target === undefined || (target === "*" && !reference.wildcardOnly)) {
        throw new Error(
          `${resource.type}: ${action} authorizes against a resource; give the call a target ARN.`,
        );
      }
      if (target !== "*" && resourceTypesNamedBy(reference, target).length === 0) {
        throw new Error(`${resource.type} ${resource.name}: ${target} is no resource type of ${action}`);
      }
      const tags = call.untagged
        ? { request: undefined, resource: undefined }
        : phaseTags(call.phase, facts.defaultTags);
      const context = await requestContext(action, target, {
        region,
        requestTags: tags.request,
        resourceTags: tags.resource,
        extra: call.context?.(resource, facts),
      });
      const policy = target === own ? access.resourcePolicy?.(resource, facts) : undefined;
      requests.push({
        resource: `${resource.type} ${resource.name}`,
        call,
        request: { action, resource: target, context },
        ...(policy ? { resourcePolicy: JSON.parse(policy) as PolicyDocument } : {}),
      });
    }
  }
  return requests;
}
