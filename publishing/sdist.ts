/**
 * Source distributions: `{name}-{version}.tar.gz` file names (PEP 625) and `PKG-INFO` read from
 * the gzipped tar with a small reader (ustar, pax and GNU long names), no extraction to disk.
 */
import * as zlib from "zlib";
import { normalizeProjectName } from "../domain/names";
import { CoreMetadata, isFilenameNameComponent, parseCoreMetadata } from "./coreMetadata";
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

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseInt(field(header, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return stored === sum;
}

function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString("utf8").split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Yields each regular file's path and contents; throws on a malformed archive. */
export function* tarEntries(tar: Buffer): Generator<{ path: string; data: Buffer }> {
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return;
    if (!checksumMatches(header)) throw new Error(`bad tar header checksum at byte ${offset}`);
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (!Number.isFinite(size) || dataStart + size > tar.length)
      throw new Error(`truncated tar entry at byte ${offset}`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") longName = paxPath(data) ?? longName;
    else if (type === "L") longName = field(data, 0, data.length);
    else {
      const prefix = field(header, 345, 155);
      const path = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = undefined;
      if (type === "0" || type === "7") yield { path, data };
    }
  }
}

export interface SdistContents {
  readonly metadata: CoreMetadata;
}

/** Reads and checks the top-level `PKG-INFO` of an sdist. */
export function readSdistMetadata(sdist: SdistFilename, bytes: Uint8Array): SdistContents {
  let pkgInfo: Buffer | undefined;
  try {
    const tar = zlib.gunzipSync(bytes);
    for (const entry of tarEntries(tar)) {
      if (/^(?:\.\/)?[^/]+\/PKG-INFO$/.test(entry.path)) {
        pkgInfo = entry.data;
        break;
      }
    }
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
