/**
 * The AWS SDK's own SigV4 signer (`@smithy/signature-v4`, installed with the SDK), as the
 * reference the edge's signer is checked against. Test only: the edge bundle never loads it.
 */
import * as crypto from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Hash, SourceData } from "@smithy/types";
import { AwsCredentials, JsonPost, SigningScope } from "../../edge/sigv4";

function bytes(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(new Uint8Array(data));
}

/** The hash constructor the signer takes (SHA-256, or HMAC-SHA256 when given a key), over node's crypto. */
class NodeSha256 implements Hash {
  private readonly hash: crypto.Hash | crypto.Hmac;
  constructor(secret?: SourceData) {
    this.hash =
      secret === undefined ? crypto.createHash("sha256") : crypto.createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** Every header the SDK's signer would send for `POST /` with this host, headers and body. */
export async function sdkSignedHeaders(
  request: JsonPost,
  credentials: AwsCredentials,
  scope: SigningScope,
  date: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region: scope.region,
    service: scope.service,
    sha256: NodeSha256,
    // The edge never sends x-amz-content-sha256 (DynamoDB does not need it); the signer adds it by default.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: request.host.split(":")[0],
      path: "/",
      query: {},
      headers: { ...request.headers, host: request.host },
      body: request.body,
    },
    { signingDate: date },
  );
  return signed.headers;
}
