/**
 * What the publisher needs to know about one file before writing anything: its kind, project,
 * version, Requires-Python, core metadata (wheels), sha256 and size. Every check happens here.
 */
import * as crypto from "crypto";
import { PublishingError } from "./errors";
import { parseSdistFilename, readSdistMetadata } from "./sdist";
import { parseWheelFilename, readWheelMetadata } from "./wheel";

export interface Distribution {
  readonly kind: "wheel" | "sdist";
  readonly filename: string;
  /** PEP 503 normalized project name. */
  readonly project: string;
  /** The version as spelled in the file name. */
  readonly version: string;
  readonly requiresPython?: string;
  /** Wheels only: the bytes of METADATA, served as `<file>.metadata` (PEP 658). */
  readonly coreMetadata?: Uint8Array;
  readonly sha256: string;
  readonly size: number;
}

export function sha256Hex(data: Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Project and version from a distribution's file name alone. */
export function parseDistributionFilename(filename: string): {
  project: string;
  version: string;
  kind: "wheel" | "sdist";
} {
  if (filename.endsWith(".whl")) return { ...parseWheelFilename(filename), kind: "wheel" };
  if (filename.endsWith(".tar.gz")) return { ...parseSdistFilename(filename), kind: "sdist" };
  throw new PublishingError(`unsupported file "${filename}": publish wheels (.whl) or sdists (.tar.gz)`);
}

export function inspectDistribution(filename: string, bytes: Uint8Array): Distribution {
  const common = { filename, sha256: sha256Hex(bytes), size: bytes.length };
  if (parseDistributionFilename(filename).kind === "wheel") {
    const wheel = parseWheelFilename(filename);
    const { metadata, metadataBytes } = readWheelMetadata(wheel, bytes);
    return {
      ...common,
      kind: "wheel",
      project: wheel.project,
      version: wheel.version,
      ...(metadata.requiresPython ? { requiresPython: metadata.requiresPython } : {}),
      coreMetadata: metadataBytes,
    };
  }
  const sdist = parseSdistFilename(filename);
  const { metadata } = readSdistMetadata(sdist, bytes);
  return {
    ...common,
    kind: "sdist",
    project: sdist.project,
    version: sdist.version,
    ...(metadata.requiresPython ? { requiresPython: metadata.requiresPython } : {}),
  };
}
