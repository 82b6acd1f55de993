/** Wheels (binary distribution format): file-name parsing and reading `METADATA` from the archive. */
import { strFromU8, unzipSync } from "fflate";
import { normalizeProjectName } from "../domain/names";
import {
  CoreMetadata,
  MAX_CORE_METADATA_BYTES,
  isFilenameNameComponent,
  parseCoreMetadata,
} from "./coreMetadata";
import { PublishingError } from "./errors";
import { isValidVersion } from "./version";

const WHEEL_SPEC = "https://packaging.python.org/specifications/binary-distribution-format/";
const BUILD_TAG = /^[0-9][A-Za-z0-9_.]*$/;
const TAG = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

export interface WheelFilename {
  readonly filename: string;
  /** The name as spelled in the file name. */
  readonly name: string;
  /** PEP 503 normalized project name. */
  readonly project: string;
  readonly version: string;
  readonly buildTag?: string;
  /** Compressed tag sets expanded: `py2.py3` → `["py2", "py3"]`. */
  readonly pythonTags: readonly string[];
  readonly abiTags: readonly string[];
  readonly platformTags: readonly string[];
}

function invalidWheelName(filename: string, reason: string): PublishingError {
  return new PublishingError(
    `invalid wheel file name "${filename}": ${reason}; expected ` +
      `{name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl (${WHEEL_SPEC})`,
  );
}

export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith(".whl")) throw invalidWheelName(filename, "it does not end in .whl");
  const parts = filename.slice(0, -".whl".length).split("-");
  if (parts.length !== 5 && parts.length !== 6) {
    throw invalidWheelName(filename, `it has ${parts.length} dash-separated parts, not 5 or 6`);
  }
  const [name, version] = parts;
  const buildTag = parts.length === 6 ? parts[2] : undefined;
  const [python, abi, platform] = parts.slice(-3);
  if (!isFilenameNameComponent(name)) {
    throw invalidWheelName(filename, `"${name}" is not a valid distribution name`);
  }
  if (!isValidVersion(version)) throw invalidWheelName(filename, `"${version}" is not a PEP 440 version`);
  if (buildTag !== undefined && !BUILD_TAG.test(buildTag)) {
    throw invalidWheelName(filename, `build tag "${buildTag}" must start with a digit`);
  }
  for (const tag of [python, abi, platform]) {
    if (!TAG.test(tag)) throw invalidWheelName(filename, `"${tag}" is not a valid compatibility tag set`);
  }
  return {
    filename,
    name,
    project: normalizeProjectName(name),
    version,
    ...(buildTag !== undefined ? { buildTag } : {}),
    pythonTags: python.split("."),
    abiTags: abi.split("."),
    platformTags: platform.split("."),
  };
}

export interface WheelContents {
  readonly metadata: CoreMetadata;
  /** The exact bytes of `METADATA`, served next to the wheel as `<file>.metadata` (PEP 658). */
  readonly metadataBytes: Uint8Array;
}

const DIST_INFO_METADATA = /^[^/]+\.dist-info\/METADATA$/;

/**
 * Reads and checks `*.dist-info/METADATA` from a wheel's bytes. Only that member is inflated, into
 * a buffer of its declared size (fflate writes no further), and a declared size past
 * `maxMetadataBytes` is refused before anything is inflated: a zip bomb costs nothing.
 */
export function readWheelMetadata(
  wheel: WheelFilename,
  bytes: Uint8Array,
  maxMetadataBytes: number = MAX_CORE_METADATA_BYTES,
): WheelContents {
  let entries: Record<string, Uint8Array>;
  let oversize: number | undefined;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (!DIST_INFO_METADATA.test(file.name)) return false;
        if (file.originalSize <= maxMetadataBytes) return true;
        oversize = file.originalSize;
        return false;
      },
    });
  } catch (err) {
    throw new PublishingError(
      `"${wheel.filename}" is not a readable zip archive (${(err as Error).message}); rebuild the wheel`,
    );
  }
  if (oversize !== undefined) {
    throw new PublishingError(
      `"${wheel.filename}" has a METADATA of ${oversize} bytes, more than ${maxMetadataBytes}; ` +
        "shorten its long description (README) and rebuild the wheel",
    );
  }
  const names = Object.keys(entries);
  if (names.length !== 1) {
    throw new PublishingError(
      `"${wheel.filename}" must contain exactly one top-level *.dist-info/METADATA, found ${names.length}; ` +
        "rebuild the wheel",
    );
  }
  const metadataBytes = entries[names[0]];
  const metadata = parseCoreMetadata(strFromU8(metadataBytes), `METADATA of "${wheel.filename}"`, wheel);
  return { metadata, metadataBytes };
}
