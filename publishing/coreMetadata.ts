/**
 * Core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist): email-header fields, of which the
 * publisher needs the name, the version and `Requires-Python`; and the check that they agree with
 * the file name the distribution is published under. The header block is read by hand: five
 * fields of RFC 822 folding do not justify a mail parser.
 */
import { isValidProjectName, normalizeProjectName } from "../domain/names";
import { PublishingError } from "./errors";
import { sameVersion } from "./version";

/**
 * The name component of a wheel or sdist file name: letters, digits, `.` and `_` (dashes separate
 * components), and also a valid project name.
 */
export function isFilenameNameComponent(name: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/.test(name) && isValidProjectName(name);
}

/**
 * The largest core metadata file read (`METADATA`, `PKG-INFO`: it holds the long description), so
 * that a file from anyone who can publish cannot make the reader allocate without bound.
 */
export const MAX_CORE_METADATA_BYTES = 4 * 1024 ** 2;

export interface CoreMetadata {
  readonly metadataVersion: string;
  readonly name: string;
  readonly version: string;
  readonly requiresPython?: string;
  readonly summary?: string;
}

/** Reads the header block (up to the first blank line); continuation lines are folded. */
function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.replace(/\r\n/g, "\n").split("\n")) {
    if (line === "") break;
    if (/^[ \t]/.test(line) && last !== undefined) {
      fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
  }
  return fields;
}

/** Parses core metadata and checks it describes `expected` (the name and version of the file name). */
export function parseCoreMetadata(
  text: string,
  source: string,
  expected: { readonly project: string; readonly version: string },
): CoreMetadata {
  const fields = headerFields(text);
  const missing = ["metadata-version", "name", "version"].filter((field) => !fields.get(field));
  if (missing.length > 0) {
    throw new PublishingError(
      `${source} lacks the required field(s) ${missing.join(", ")}; rebuild the distribution`,
    );
  }
  const metadata: CoreMetadata = {
    metadataVersion: fields.get("metadata-version")!,
    name: fields.get("name")!,
    version: fields.get("version")!,
    ...(fields.get("requires-python") ? { requiresPython: fields.get("requires-python") } : {}),
    ...(fields.get("summary") ? { summary: fields.get("summary") } : {}),
  };
  if (normalizeProjectName(metadata.name) !== expected.project) {
    throw new PublishingError(
      `${source} names project "${metadata.name}" but the file name says "${expected.project}"; ` +
        "rename the file or rebuild the distribution so they agree",
    );
  }
  if (!sameVersion(metadata.version, expected.version)) {
    throw new PublishingError(
      `${source} says version "${metadata.version}" but the file name says "${expected.version}"; ` +
        "rename the file or rebuild the distribution so they agree",
    );
  }
  return metadata;
}
