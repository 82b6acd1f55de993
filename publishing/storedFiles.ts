/**
 * Distribution files in the bucket: uploading one immutably (with what its page entry needs kept
 * in the object's user metadata) and turning a stored file back into a page entry, which is how a
 * publish heals crash residue and how `reindex` rebuilds pages.
 */
import { FILE_CACHE_CONTROL, fileKey, metadataKey, projectFilesPrefix } from "../domain/storageLayout";
import { Distribution, inspectDistribution, sha256Hex } from "./distribution";
import { PublishingError } from "./errors";
import { IndexLocation, isBranchChannel } from "./indexLocation";
import { FileEntry, uploadTimeOf } from "./pages";
import { CONFLICT, IndexStore, PutOptions, retryOnConflict } from "./indexStore";

export const FILE_CONTENT_TYPE = "application/octet-stream";
const METADATA_SUFFIX = ".metadata";

/** User-metadata names on each file object. */
const META = {
  sha256: "sha256",
  uploadTime: "upload-time",
  requiresPython: "requires-python",
  coreMetadataSha256: "core-metadata-sha256",
} as const;

function fileOptions(location: IndexLocation, metadata?: Record<string, string>): PutOptions {
  return {
    contentType: FILE_CONTENT_TYPE,
    cacheControl: FILE_CACHE_CONTROL,
    branch: isBranchChannel(location),
    ...(metadata ? { metadata } : {}),
  };
}

export function entryOf(dist: Distribution, uploadTime: string): FileEntry {
  return {
    filename: dist.filename,
    sha256: dist.sha256,
    size: dist.size,
    uploadTime,
    ...(dist.requiresPython ? { requiresPython: dist.requiresPython } : {}),
    ...(dist.coreMetadata ? { coreMetadataSha256: sha256Hex(dist.coreMetadata) } : {}),
    yanked: false,
  };
}

function objectMetadata(entry: FileEntry): Record<string, string> {
  return {
    [META.sha256]: entry.sha256,
    [META.uploadTime]: entry.uploadTime,
    // User metadata travels as HTTP headers: keep it ASCII.
    ...(entry.requiresPython ? { [META.requiresPython]: encodeURIComponent(entry.requiresPython) } : {}),
    ...(entry.coreMetadataSha256 ? { [META.coreMetadataSha256]: entry.coreMetadataSha256 } : {}),
  };
}

export type UploadOutcome = { readonly status: "published" | "unchanged"; readonly entry: FileEntry };

/**
 * Uploads a validated distribution with `If-None-Match: *`, then its `.metadata`. An existing file
 * with the same sha256 is a no-op (its `.metadata` is completed if a crash left it out); different
 * bytes are refused and nothing is written.
 */
export async function uploadDistribution(
  store: IndexStore,
  location: IndexLocation,
  dist: Distribution,
  bytes: Uint8Array,
  now: Date,
): Promise<UploadOutcome> {
  const key = fileKey(location.tenant, location.channel, dist.project, dist.filename);
  const fresh = entryOf(dist, uploadTimeOf(now));
  // undefined: uploaded now; an entry: the file that was already there.
  const existing = await retryOnConflict(key, async () => {
    if ((await store.put(key, bytes, fileOptions(location, objectMetadata(fresh)))) !== CONFLICT)
      return undefined;
    // Missing after a failed create: a concurrent upload of this name is still in flight (409).
    return (await describeStoredFile(store, location, dist.project, dist.filename, true)) ?? CONFLICT;
  });
  if (existing) refuseOtherBytes(location, dist, existing);
  if (dist.coreMetadata) {
    const metaKey = metadataKey(location.tenant, location.channel, dist.project, dist.filename);
    await store.put(metaKey, dist.coreMetadata, fileOptions(location));
  }
  return existing ? { status: "unchanged", entry: existing } : { status: "published", entry: fresh };
}

/** Throws unless `existing` (the file already under `dist`'s name) has `dist`'s bytes. */
function refuseOtherBytes(location: IndexLocation, dist: Distribution, existing: FileEntry): void {
  if (existing.sha256 === dist.sha256) return;
  throw new PublishingError(
    `${dist.filename} already exists in ${location.tenant}/${location.channel} with different contents ` +
      `(sha256 ${existing.sha256}, yours ${dist.sha256}); published files are immutable: publish a new version`,
    "exists",
  );
}

/**
 * Writes nothing: the `unchanged` outcome of a distribution already under its name (`listed`, its
 * page entry, else the stored file), undefined if there is none; different bytes are refused.
 */
export async function findUnchanged(
  store: IndexStore,
  location: IndexLocation,
  dist: Distribution,
  listed: FileEntry | undefined,
): Promise<UploadOutcome | undefined> {
  const existing = listed ?? (await describeStoredFile(store, location, dist.project, dist.filename, true));
  if (!existing) return undefined;
  refuseOtherBytes(location, dist, existing);
  return { status: "unchanged", entry: existing };
}

/**
 * The page entry of a file already in the bucket, from its user metadata. A file without that
 * metadata (uploaded by other means) is downloaded and inspected; a wheel whose `.metadata` is
 * missing (`hasCoreMetadataObject` false) gets it written. undefined if the file is not there.
 */
export async function describeStoredFile(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  filename: string,
  hasCoreMetadataObject: boolean,
): Promise<FileEntry | undefined> {
  const key = fileKey(location.tenant, location.channel, project, filename);
  const head = await store.head(key);
  if (!head) return undefined;
  const meta = head.metadata;
  const isWheel = filename.endsWith(".whl");
  if (
    meta[META.sha256] &&
    meta[META.uploadTime] &&
    (!isWheel || (meta[META.coreMetadataSha256] && hasCoreMetadataObject))
  ) {
    return {
      filename,
      sha256: meta[META.sha256],
      size: head.size,
      uploadTime: meta[META.uploadTime],
      ...(meta[META.requiresPython] ? { requiresPython: decodeURIComponent(meta[META.requiresPython]) } : {}),
      ...(meta[META.coreMetadataSha256] ? { coreMetadataSha256: meta[META.coreMetadataSha256] } : {}),
      yanked: false,
    };
  }
  const stored = await store.get(key);
  if (!stored) return undefined;
  const dist = inspectDistribution(filename, stored.body);
  if (dist.project !== project)
    throw new PublishingError(`${key} is stored under the wrong project; move or remove it`);
  if (dist.coreMetadata && !hasCoreMetadataObject) {
    await store.put(
      metadataKey(location.tenant, location.channel, project, filename),
      dist.coreMetadata,
      fileOptions(location),
    );
  }
  return entryOf(dist, meta[META.uploadTime] ?? uploadTimeOf(head.lastModified ?? new Date()));
}

/**
 * Page entries for stored files, skipping (and reporting) files that cannot be read as
 * distributions and files gone since they were listed. `cache` keeps entries across retries.
 */
export async function describeStoredFiles(
  store: IndexStore,
  location: IndexLocation,
  project: string,
  files: readonly StoredFile[],
  onSkipped: (message: string) => void,
  cache: Map<string, FileEntry> = new Map(),
): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const file of files) {
    let entry = cache.get(file.filename);
    try {
      entry ??= await describeStoredFile(store, location, project, file.filename, file.hasCoreMetadataObject);
    } catch (err) {
      if (!(err instanceof PublishingError)) throw err;
      onSkipped(`skipped stored file ${project}/${file.filename}: ${err.message}`);
      continue;
    }
    if (!entry) continue;
    cache.set(file.filename, entry);
    entries.push(entry);
  }
  return entries;
}

export interface StoredFile {
  readonly filename: string;
  readonly hasCoreMetadataObject: boolean;
}

/** The distribution files stored for a project, and which of them have their `.metadata`. */
export async function listStoredFiles(
  store: IndexStore,
  location: IndexLocation,
  project: string,
): Promise<StoredFile[]> {
  const prefix = projectFilesPrefix(location.tenant, location.channel, project);
  const names = new Set((await store.list(prefix)).map((item) => item.key.slice(prefix.length)));
  return [...names]
    .filter((name) => !name.endsWith(METADATA_SUFFIX) && !name.includes("/"))
    .map((filename) => ({ filename, hasCoreMetadataObject: names.has(filename + METADATA_SUFFIX) }));
}
