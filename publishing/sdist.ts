/**
 * Source distributions: `{name}-{version}.tar.gz` file names (PEP 625) and `PKG-INFO` read from
 * the gzipped tar with `tar` (ustar, pax and GNU long names; checksums), in memory, within bounds.
 */
import * as tar from "tar";
import { normalizeProjectName } from "../domain/names";
import {
  CoreMetadata,
  MAX_CORE_METADATA_BYTES,
  isFilenameNameComponent,
  parseCoreMetadata,
} from "./coreMetadata";
import { PublishingError } from "./errors";
import { isValidVersion } from "./version";

const SDIST_SPEC = "https://packaging.python.org/specifications/source-distribution-format/";
const SDIST_SUFFIX = ".tar.gz";

export interface SdistFilename {
  readonly filename: string;
  readonly name: string;
  readonly project: string;
  readonly version: string;
}

function invalidSdistName(filename: string, reason: string): PublishingError {
  return new PublishingError(
    `invalid sdist file name "${filename}": ${reason}; expected {name}-{version}.tar.gz with the ` +
      `name's dashes written as underscores (${SDIST_SPEC})`,
  );
}

export function parseSdistFilename(filename: string): SdistFilename {
  if (!filename.endsWith(SDIST_SUFFIX)) throw invalidSdistName(filename, "it does not end in .tar.gz");
  const parts = filename.slice(0, -SDIST_SUFFIX.length).split("-");
  if (parts.length !== 2)
    throw invalidSdistName(filename, `it has ${parts.length} dash-separated parts, not 2`);
  const [name, version] = parts;
  if (!isFilenameNameComponent(name)) {
    throw invalidSdistName(filename, `"${name}" is not a valid distribution name`);
  }
  if (!isValidVersion(version)) throw invalidSdistName(filename, `"${version}" is not a PEP 440 version`);
  return { filename, name, project: normalizeProjectName(name), version };
}

/**
 * Bounds of reading an sdist, which may come from anyone who can publish: the archive is never
 * extracted, only scanned for PKG-INFO, and the scan stops at the first bound it passes.
 */
export interface SdistReadLimits {
  /** Expanded bytes (tar headers and contents) scanned at most, checked at each header: a 10 GB member is refused before it is inflated. */
  readonly maxUnpackedBytes: number;
  /** Members scanned at most. */
  readonly maxMembers: number;
  /** The largest PKG-INFO read (it holds the long description). */
  readonly maxPkgInfoBytes: number;
  /** Expanded bytes per compressed byte at most: stops a decompression bomb long before the size bound. */
  readonly maxExpansionRatio: number;
}

export const SDIST_READ_LIMITS: SdistReadLimits = {
  maxUnpackedBytes: 2 * 1024 ** 3,
  maxMembers: 100_000,
  maxPkgInfoBytes: MAX_CORE_METADATA_BYTES,
  maxExpansionRatio: 1000,
};

const TAR_BLOCK = 512;
const PKG_INFO_PATH = /^(?:\.\/)?[^/]+\/PKG-INFO$/;
const REGULAR_FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The contents of the top-level `{name}-{version}/PKG-INFO`, or undefined when the archive has
 * none; throws with the reason when the archive is not a well-formed gzipped tar or passes a bound.
 * `tar`'s parser runs synchronously over a buffer as long as each entry's data is consumed at once
 * (hence `resume()` on every member): every callback below has run when `end` returns.
 */
function findPkgInfo(bytes: Uint8Array, limits: SdistReadLimits): Buffer | undefined {
  if (!isGzip(bytes)) throw new Error("it does not start with a gzip header");
  let members = 0;
  let unpackedBytes = 0;
  let pkgInfo: Buffer | undefined;
  let failure: Error | undefined;
  let finished = false;
  const found = new Error("PKG-INFO found");
  const parser = new tar.Parser({
    strict: true,
    maxDecompressionRatio: limits.maxExpansionRatio,
    onReadEntry(entry) {
      members += 1;
      unpackedBytes += TAR_BLOCK + Math.ceil(entry.size / TAR_BLOCK) * TAR_BLOCK;
      if (members > limits.maxMembers) {
        parser.abort(new Error(`it has more than ${limits.maxMembers} members`));
      } else if (unpackedBytes > limits.maxUnpackedBytes) {
        parser.abort(new Error(`it expands to more than ${limits.maxUnpackedBytes} bytes`));
      } else if (REGULAR_FILE_TYPES.has(entry.type) && PKG_INFO_PATH.test(entry.path)) {
        if (entry.size > limits.maxPkgInfoBytes) {
          parser.abort(new Error(`its PKG-INFO is larger than ${limits.maxPkgInfoBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () => {
          pkgInfo = Buffer.concat(chunks);
          parser.abort(found);
        });
      }
      entry.resume();
    },
  });
  parser.on("end", () => {
    finished = true;
  });
  parser.on("error", (error: Error) => {
    failure ??= error;
  });
  parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (failure && failure !== found) throw failure;
  if (!failure && !finished) throw new Error("the tar reader stopped before the end of the archive");
  return pkgInfo;
}

export interface SdistContents {
  readonly metadata: CoreMetadata;
}

/** Reads and checks the top-level `PKG-INFO` of an sdist. */
export function readSdistMetadata(
  sdist: SdistFilename,
  bytes: Uint8Array,
  limits: SdistReadLimits = SDIST_READ_LIMITS,
): SdistContents {
  let pkgInfo: Buffer | undefined;
  try {
    pkgInfo = findPkgInfo(bytes, limits);
  } catch (err) {
    throw new PublishingError(
      `"${sdist.filename}" is not a readable gzipped tar archive (${(err as Error).message}); rebuild the sdist`,
    );
  }
  if (!pkgInfo) {
    throw new PublishingError(
      `"${sdist.filename}" has no top-level {name}-{version}/PKG-INFO; rebuild the sdist`,
    );
  }
  return { metadata: parseCoreMetadata(pkgInfo.toString("utf8"), `PKG-INFO of "${sdist.filename}"`, sdist) };
}
