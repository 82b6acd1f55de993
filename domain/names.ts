/**
 * Names shared by the edge function, the CLI and the infrastructure: tenants, channels,
 * Python project names and distribution file names. Pure functions only — this module is serialized into the edge bundle.
 */

/** The channel served at `/simple/`; other channels are served at `/<channel>/simple/`. */
export const MAIN_CHANNEL = "main";

/** Path segments that name parts of the URL scheme and so cannot be channel names. */
export const RESERVED_CHANNELS: readonly string[] = ["simple", "files"];

/** Tenants: lowercase DNS-label style, 1–63 characters; they become S3 key prefixes. */
export const TENANT_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Channels: lowercase, 1–63 characters of letters, digits and dashes (branch names are slugged). */
export const CHANNEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** PEP 508 project names (ASCII letters, digits, `.`, `_`, `-`, starting and ending alphanumeric). */
export const PROJECT_NAME_PATTERN = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/**
 * Distribution file names (wheels, sdists): letters, digits and `._+!-` (`+` local versions, `!`
 * epochs), no separators, starting with a letter or digit, at most 255 characters. The edge serves
 * no other file name and the upload function takes no other.
 */
export const FILENAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+!-]{0,254}$/;

export function isValidTenant(tenant: string): boolean {
  return TENANT_PATTERN.test(tenant);
}

export function isValidChannel(channel: string): boolean {
  return CHANNEL_PATTERN.test(channel) && !RESERVED_CHANNELS.includes(channel);
}

export function isValidProjectName(name: string): boolean {
  return name.length <= 200 && PROJECT_NAME_PATTERN.test(name);
}

/** PEP 503 normalization: runs of `-`, `_`, `.` become one `-`, then lowercase. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
