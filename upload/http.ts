/**
 * The upload function's HTTP contract, independent of what carries it: the sandbox's local
 * CloudFront and the deployed Lambda adapter both turn their request into an UploadRequest and
 * send the UploadResponse back as it is.
 */

export interface UploadRequest {
  method: string;
  /** The path without the query string, e.g. `/legacy/`. */
  path: string;
  /** Header names in lowercase; a header given more than once is joined with ", ". */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface UploadResponse {
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  /** Plain text (twine, uv and poetry show it as it is). */
  body: string;
}

export type UploadHandler = (request: UploadRequest) => Promise<UploadResponse>;
