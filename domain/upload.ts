/**
 * The upload endpoints' contract, shared by the edge (which routes and prepares them), the upload
 * function (which answers them, deployed or in the sandbox) and the components. Pure data.
 */

/** The legacy upload API (what twine, `uv publish`, `poetry publish`, hatch and pdm POST to). */
export const LEGACY_UPLOAD_PATH = "/legacy/";
/** The one method it takes (anything else is 405 with `Allow: POST`, at the edge and in the function). */
export const LEGACY_UPLOAD_METHOD = "POST";

/** Trusted publishing, as uv and twine call it on the index host: the paths below this prefix. */
export const OIDC_PATH_PREFIX = "/_/oidc/";

export const OIDC_AUDIENCE_PATH = "/_/oidc/audience";
export const OIDC_MINT_TOKEN_PATH = "/_/oidc/mint-token";

/**
 * What a trusted-publishing audience may be (what `GET /_/oidc/audience` announces and minted
 * tokens must carry): 1-255 printable ASCII characters without spaces, e.g. the index host.
 */
export const OIDC_AUDIENCE_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Every path the upload function answers: the edge forwards these to it (and nothing else), as
 * the distribution's upload behaviours and the sandbox do. A plain list: the closure serializer
 * drops a Map's entries.
 */
export const UPLOAD_FUNCTION_PATHS: readonly string[] = [
  LEGACY_UPLOAD_PATH,
  OIDC_AUDIENCE_PATH,
  OIDC_MINT_TOKEN_PATH,
];

/**
 * Where the viewer's `Authorization` header reaches the upload function. CloudFront signs origin
 * requests to the function (origin access control) in `Authorization` itself, so the viewer-request
 * function moves the viewer's header here, after deleting any value a viewer sent under this name.
 */
export const FORWARDED_AUTHORIZATION_HEADER = "x-ppi-authorization";

/**
 * The largest upload body the endpoint accepts, in bytes (1 MiB). The deployed path computes the
 * body's SHA-256 for CloudFront's origin access control in a Lambda@Edge origin-request function,
 * and CloudFront gives such a function at most 1 MB of the body: past it the hash cannot be
 * computed, so the edge answers 413 there and the upload function refuses the same sizes.
 */
export const UPLOAD_BODY_LIMIT_BYTES = 1_048_576;

/** The body of the 413 an upload past the limit gets, wherever it is refused. */
export function uploadTooLargeMessage(limitBytes: number): string {
  return (
    `the upload is larger than this endpoint's limit of ${limitBytes} bytes; ` +
    "publish larger files with the operator CLI: ppi publish --tenant <tenant> <files>"
  );
}

/** The SigV4 payload-hash header CloudFront's origin access control needs on a POST to a function URL. */
export const CONTENT_SHA256_HEADER = "x-amz-content-sha256";

/** The CloudFront path patterns the upload function answers (every other path is the bucket's). */
export const UPLOAD_PATH_PATTERNS = [`${LEGACY_UPLOAD_PATH}*`, `${OIDC_PATH_PREFIX}*`] as const;
