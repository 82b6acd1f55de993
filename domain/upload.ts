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
