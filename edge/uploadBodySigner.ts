/**
 * The upload body signer: a Lambda@Edge origin-request function on the upload behaviour
 * (`/legacy/*`, `/_/oidc/*`). CloudFront reaches the upload function's URL through an origin
 * access control, which signs each origin request with SigV4; Lambda accepts a signed POST only
 * with the SHA-256 of its body in `x-amz-content-sha256` (it does not take unsigned payloads),
 * and twine, uv and poetry do not send one. This function runs after the viewer-request function
 * and before CloudFront signs, sees the body (`includeBody`), and sets the header to the body's
 * digest, replacing any value a viewer sent. CloudFront exposes at most 1 MiB of a body here: a
 * longer one arrives truncated, cannot be hashed, and is answered with 413 naming the limit and
 * the CLI. Requests without a body method (GET of `/_/oidc/audience`) pass untouched.
 */
import { createHash } from "crypto";
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { CONTENT_SHA256_HEADER, UPLOAD_BODY_LIMIT_BYTES, uploadTooLargeMessage } from "../domain/upload";
import { denialLogLine } from "./log";
import { STATUS_TEXT, generatedResponse } from "./responses";

/** The signer needs no settings: the limit is CloudFront's. Kept as a type so the factory has the EdgeFunction shape. */
export type UploadBodySignerConfig = Readonly<Record<string, never>>;

/** Methods whose body CloudFront forwards and the origin access control must sign. */
const BODY_METHODS: readonly string[] = ["POST", "PUT", "PATCH"];

/** What the signer needs from the outside world. */
export interface UploadBodySignerDependencies {
  readonly log: (line: string) => void;
}

/** The 413 a body longer than CloudFront shows this function gets: the upload function's own words. */
export function bodyTooLarge(): ReturnType<typeof generatedResponse> {
  return {
    ...generatedResponse(413),
    body: `413 ${STATUS_TEXT[413]}: ${uploadTooLargeMessage(UPLOAD_BODY_LIMIT_BYTES)}\n`,
  };
}

/** The lowercase hex SHA-256 of the body CloudFront forwards (its `data` is base64 or text). */
export function bodyDigest(request: CloudFrontRequest): string {
  const body = request.body;
  const bytes =
    body === undefined || body.data === ""
      ? Buffer.alloc(0)
      : Buffer.from(body.data, body.encoding === "base64" ? "base64" : "utf8");
  return createHash("sha256").update(bytes).digest("hex");
}

export function createUploadBodySignerWith(
  deps: UploadBodySignerDependencies,
): (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult> {
  return async function signUploadBody(event) {
    const cf = event.Records[0].cf;
    const request = cf.request;
    const requestId = cf.config?.requestId;
    try {
      if (!BODY_METHODS.includes(request.method)) return request;
      if (request.body?.inputTruncated === true) {
        deps.log(denialLogLine({ status: 413, reason: "body-too-large", requestId }));
        return bodyTooLarge();
      }
      request.headers[CONTENT_SHA256_HEADER] = [{ key: CONTENT_SHA256_HEADER, value: bodyDigest(request) }];
      return request;
    } catch (error) {
      deps.log(
        denialLogLine({ status: 500, reason: "internal-error", requestId, detail: (error as Error)?.name }),
      );
      return generatedResponse(500);
    }
  };
}

/**
 * The factory the CallbackFunction serializes (`callbackFactory`). Throws on a config with any
 * setting: there is none to give.
 */
export function uploadBodySignerFactory(
  config: UploadBodySignerConfig,
): () => (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult> {
  const extra = Object.keys(config ?? {});
  if (extra.length > 0)
    throw new Error(`upload body signer: takes no settings; remove ${extra.join(", ")} from its config.`);
  return () => createUploadBodySignerWith({ log: (line) => console.log(line) });
}
