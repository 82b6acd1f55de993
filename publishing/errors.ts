/**
 * The error the publishing core throws for anything the caller can fix (an invalid file, tenant or
 * key, a refused name, a write that lost too many races): one line saying what is wrong and how to
 * fix it. Adapters show the message as it is (the CLI on stderr, the upload function in its answer).
 */
export class PublishingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PublishingError";
  }
}
