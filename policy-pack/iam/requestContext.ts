/**
 * The request context AWS builds for one call, from the Service Authorization Reference: a key goes
 * in only where AWS sets it for that action and resource type, so a simulated decision never rests
 * on a key the real request would not carry.
 */
import { allowedContextKeysForRequest } from "@cloud-copilot/iam-simulate";
import { keyPattern, requireAction, resourceTypesNamedBy, supportsConditionKey } from "./authorizationData";
import { RequestContext } from "./simulate";

export interface RequestContextFacts {
  readonly region: string;
  /** Tags the request sets (creating or tagging a resource). */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** Tags the target already carries. */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /** Service-specific facts; each becomes a key only where the reference lists it for the action. */
  readonly extra?: RequestContext;
}

/**
 * The context AWS builds for `action` on `resource`: the region, tags where the action (request
 * tags) or the resource type (resource tags) supports them, and only the extra keys AWS sets for it.
 */
export async function requestContext(
  action: string,
  resource: string,
  facts: RequestContextFacts,
): Promise<RequestContext> {
  const reference = await requireAction(action);
  const types = resource === "*" ? [] : resourceTypesNamedBy(reference, resource);
  // iam-simulate also knows when a listed key is absent all the same (S3 resource tags without ABAC).
  const [service, name] = action.split(":");
  const simulated = (await allowedContextKeysForRequest(service, name, resource, false, undefined)).map(
    keyPattern,
  );
  const supports = (key: string) =>
    supportsConditionKey(reference, key, types) &&
    simulated.some((pattern) => pattern.test(key.toLowerCase()));
  const context: Record<string, string | readonly string[]> = { "aws:RequestedRegion": facts.region };
  const requestTags = Object.entries(facts.requestTags ?? {});
  if (requestTags.length > 0 && supports("aws:RequestTag/Any")) {
    for (const [key, value] of requestTags) context[`aws:RequestTag/${key}`] = value;
    if (supports("aws:TagKeys")) context["aws:TagKeys"] = requestTags.map(([key]) => key);
  }
  if (supports("aws:ResourceTag/Any")) {
    for (const [key, value] of Object.entries(facts.resourceTags ?? {}))
      context[`aws:ResourceTag/${key}`] = value;
  }
  for (const [key, value] of Object.entries(facts.extra ?? {})) if (supports(key)) context[key] = value;
  return context;
}
