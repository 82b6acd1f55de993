/**
 * The upload endpoints' contract, shared by the edge (which routes and prepares them), the upload
 * function (which answers them, deployed or in the sandbox) and the components. Pure data.
 */

/** The legacy upload API (what twine, `uv publish`, `poetry publish`, hatch and pdm POST to). */
export const LEGACY_UPLOAD_PATH = "/legacy/";

/** Trusted publishing, as uv and twine call it on the index host. */
export const OIDC_AUDIENCE_PATH = "/_/oidc/audience";
export const OIDC_MINT_TOKEN_PATH = "/_/oidc/mint-token";

/**
 * Where the viewer's `Authorization` header reaches the upload function. CloudFront signs origin
 * requests to the function (origin access control) in `Authorization` itself, so the viewer-request
 * function moves the viewer's header here, after deleting any value a viewer sent under this name.
 */
export const FORWARDED_AUTHORIZATION_HEADER = "x-ppi-authorization";

/**
 * The largest request body an upload through the distribution may have: 1 MiB, the part of a
 * request body CloudFront exposes to a Lambda@Edge origin-request function with `includeBody`
 * (Lambda@Edge restrictions, "Restrictions on the request body with the include body option").
 * The upload body signer must hash the whole body before CloudFront signs the request to the
 * upload function, so a longer body (exposed truncated) is refused with 413; `ppi publish` (the
 * operator CLI, straight to S3) has no such limit.
 */
export const UPLOAD_BODY_LIMIT_BYTES = 1_048_576;

/** The SigV4 payload-hash header CloudFront's origin access control needs on a POST to a function URL. */
export const CONTENT_SHA256_HEADER = "x-amz-content-sha256";
