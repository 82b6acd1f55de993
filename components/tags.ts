import * as pulumi from "@pulumi/pulumi";

/**
 * AWS tags a component merges onto every child that accepts tags. Keys are plain so they can be
 * checked at construction; values may be Inputs. The provider's `defaultTags` still apply beneath.
 */
export type Tags = Readonly<Record<string, pulumi.Input<string>>>;

/** The characters AWS allows in tag keys and values (Unicode letters, digits, spaces, `_.:/=+-@`). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Throws on the first tag AWS would refuse, naming it and the rule. */
export function checkTags(context: string, tags: Tags | undefined): void {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith("aws:")) {
      throw new Error(
        `${context}: tag key ${JSON.stringify(key)} must be 1-128 letters, digits, spaces or _.:/=+-@ and must not start with "aws:".`,
      );
    }
    if (typeof value === "string" && (value.length > 256 || !TAG_TEXT.test(value))) {
      throw new Error(
        `${context}: tag ${JSON.stringify(key)} has value ${JSON.stringify(value)}; values are at most 256 letters, digits, spaces or _.:/=+-@.`,
      );
    }
  }
}

/**
 * `{ tags }` for a child's args: the component's tags with the child's own on top; nothing at all
 * when both are empty, so an untagged component registers exactly the inputs it always did.
 */
export function tagged(
  tags: Tags | undefined,
  own: Tags = {},
): { tags?: Record<string, pulumi.Input<string>> } {
  const merged = { ...tags, ...own };
  return Object.keys(merged).length > 0 ? { tags: merged } : {};
}
