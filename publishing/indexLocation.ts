/** Where in the bucket a command works: one tenant's channel, validated with the edge's rules. */
import { MAIN_CHANNEL, isValidChannel, isValidTenant } from "../domain/names";
import { PublishingError } from "./errors";

export interface IndexLocation {
  readonly tenant: string;
  readonly channel: string;
}

export function indexLocation(tenant: string, channel: string = MAIN_CHANNEL): IndexLocation {
  if (!isValidTenant(tenant)) {
    throw new PublishingError(
      `invalid tenant "${tenant}": use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit`,
    );
  }
  if (!isValidChannel(channel)) {
    throw new PublishingError(
      `invalid channel "${channel}": use 1-63 lowercase letters, digits and dashes (not "simple" or "files"); ` +
        "for a git branch use its slug, e.g. feature-add-x",
    );
  }
  return { tenant, channel };
}

/** Objects of channels other than main are tagged so the bucket's lifecycle rule expires them. */
export function isBranchChannel(location: IndexLocation): boolean {
  return location.channel !== MAIN_CHANNEL;
}
