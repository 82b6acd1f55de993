/**
 * The bucket as the publisher uses it: reads that return the ETag and user metadata, writes that
 * are conditional (`If-None-Match: *` to create, `If-Match: <etag>` to replace), and a retry loop
 * with jittered backoff for the compare-and-swap that loses a race (412, or 409 while another
 * conditional write is in flight).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { BRANCH_CHANNEL_TAG_VALUE, CHANNEL_TAG_KEY } from "../domain/storageLayout";
import { PublishingError } from "./errors";

export interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectHead {
  readonly etag: string;
  readonly size: number;
  readonly lastModified?: Date;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PutOptions {
  readonly contentType: string;
  readonly cacheControl: string;
  /** S3 user metadata (`x-amz-meta-*`); values must be ASCII. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Tag the object `ppi-channel-kind=branch` so the bucket's lifecycle rule expires it. */
  readonly branch: boolean;
}

/** What a conditional write returns when its condition did not hold. */
export const CONFLICT = Symbol("conflict");
export type Conflict = typeof CONFLICT;

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** A missing key (GET: NoSuchKey; HEAD has no body: NotFound), not a missing bucket. */
function isMissing(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === "NoSuchKey" || name === "NotFound";
}

/**
 * S3 answers 403 rather than 404 for a missing key when the caller may not list that key, which
 * is the case for a role whose `s3:ListBucket` is conditioned on `s3:prefix` (the condition key
 * is absent from a GET): such a 403 is settled by listing the key itself.
 */
function isForbidden(err: unknown): boolean {
  return statusOf(err) === 403;
}

/** 412: the condition failed; 409: a concurrent conditional write to the same key — retry either. */
function isConditionFailure(err: unknown): boolean {
  const status = statusOf(err);
  return status === 412 || status === 409;
}

export class IndexStore {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** undefined for a missing key; rethrows anything else (including a 403 for a key that exists). */
  private async missingOrThrow(key: string, err: unknown): Promise<undefined> {
    if (isMissing(err)) return undefined;
    if (isForbidden(err) && !(await this.exists(key))) return undefined;
    throw err;
  }

  async exists(key: string): Promise<boolean> {
    const out = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }),
    );
    return out.Contents?.[0]?.Key === key;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      return { body, etag: out.ETag ?? "", metadata: out.Metadata ?? {} };
    } catch (err) {
      return this.missingOrThrow(key, err);
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        etag: out.ETag ?? "",
        size: out.ContentLength ?? 0,
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        metadata: out.Metadata ?? {},
      };
    } catch (err) {
      return this.missingOrThrow(key, err);
    }
  }

  /** Writes `key` only if it does not exist, or only over `etag` when given; CONFLICT otherwise. */
  async put(
    key: string,
    body: Uint8Array | string,
    options: PutOptions,
    etag?: string,
  ): Promise<string | Conflict> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
          ...(options.metadata ? { Metadata: { ...options.metadata } } : {}),
          ...(options.branch ? { Tagging: `${CHANNEL_TAG_KEY}=${BRANCH_CHANNEL_TAG_VALUE}` } : {}),
          ...(etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: etag }),
        }),
      );
      return out.ETag ?? "";
    } catch (err) {
      // S3 answers an If-Match on a key that does not exist with 404, not 412: a conflict too.
      const gone = etag !== undefined && (isMissing(err) || statusOf(err) === 404);
      if (isConditionFailure(err) || gone) return CONFLICT;
      throw err;
    }
  }

  /** Every key under `prefix` with its size (paginated). */
  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const keys: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of out.Contents ?? []) keys.push({ key: item.Key!, size: item.Size ?? 0 });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Deletes `key` only if it still has `etag`; CONFLICT if it changed or is gone. */
  async deleteIfMatch(key: string, etag: string): Promise<true | Conflict> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: etag }));
      return true;
    } catch (err) {
      if (isConditionFailure(err) || isMissing(err) || statusOf(err) === 404) return CONFLICT;
      throw err;
    }
  }
}

export interface RetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Enough for dozens of writers racing on one page; each round, one of them wins. */
export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 60, baseDelayMs: 10, maxDelayMs: 400 };

/** Runs `attempt` until it returns something other than CONFLICT, with full-jitter backoff. */
export async function retryOnConflict<T>(
  what: string,
  attempt: () => Promise<T | Conflict>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  for (let i = 0; i < options.maxAttempts; i++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** i);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
  throw new PublishingError(
    `gave up updating ${what} after ${options.maxAttempts} conflicting concurrent writes; run the command again`,
    "contention",
  );
}
