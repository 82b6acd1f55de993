/**
 * The error the publishing core throws for anything the caller can fix (an invalid file, tenant or
 * key, a refused name, a write that lost too many races): one line saying what is wrong and how to
 * fix it. Adapters show the message as it is (the CLI on stderr, the upload function in its answer)
 * and may answer by its `kind`.
 */
export class PublishingError extends Error {
  constructor(
    message: string,
    readonly kind: PublishingErrorKind = "invalid",
  ) {
    super(message);
    this.name = "PublishingError";
  }
}

/**
 * `invalid`: the input is wrong (a file, a name, a tenant); `exists`: the file name is taken by
 * other bytes (files are immutable); `removed`: the file name was published and removed (never
 * reusable); `contention`: too many concurrent writes won the race, the same call may succeed.
 */
export type PublishingErrorKind = "invalid" | "exists" | "removed" | "contention";
