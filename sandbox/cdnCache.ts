/**
 * The part of CloudFront's cache the sandbox keeps: objects the origin marks `immutable` (the
 * distribution files and their `.metadata`), keyed by the S3 key the edge function rewrote the
 * request to. As in CloudFront, the lookup comes after the viewer-request function, so every hit
 * was authenticated and the tenant prefix is part of the key. Pages are not kept, so a publish
 * shows at once in the sandbox (a deployed stack's CDN keeps them up to its page TTL).
 */
import type * as http from "http";

export interface CachedObject {
  readonly body: Buffer;
  readonly headers: http.OutgoingHttpHeaders;
  readonly etag?: string;
}

export function isImmutable(cacheControl: string | undefined): boolean {
  return (cacheControl ?? "").split(",").some((directive) => directive.trim().toLowerCase() === "immutable");
}

/** A least-recently-used cache bounded in bytes. */
export class ImmutableObjectCache {
  private readonly entries = new Map<string, CachedObject>();
  private bytes = 0;

  constructor(
    readonly maxBytes = 64 * 1024 * 1024,
    readonly maxObjectBytes = 8 * 1024 * 1024,
  ) {}

  get(key: string): CachedObject | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Whether an object of this size may be kept (larger ones are streamed, never buffered). */
  accepts(size: number | undefined): boolean {
    return size !== undefined && size <= this.maxObjectBytes;
  }

  set(key: string, entry: CachedObject): void {
    if (!this.accepts(entry.body.length)) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.body.length;
    }
    for (const [oldest, evicted] of this.entries) {
      if (this.bytes + entry.body.length <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= evicted.body.length;
    }
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
  }

  get size(): number {
    return this.entries.size;
  }
}
