/**
 * HTTPS for the sandbox on loopback: uv fetches `/_/oidc/audience` and `/_/oidc/mint-token` over
 * HTTPS only (whatever scheme the publish URL has), so trusted publishing needs it. Node cannot
 * make an X.509 certificate; `tlsCertificate.py` does, with the `cryptography` package already
 * pinned (with its hashes) in the project's tools environment as moto's dependency: no new
 * package. Each start makes a new throwaway CA (its private key is never written) and a
 * certificate for 127.0.0.1 and localhost signed by it; clients trust the CA file through
 * `SSL_CERT_FILE` (uv) and `REQUESTS_CA_BUNDLE` (twine, requests).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../build/stamp";
import { pythonTool } from "./pythonTools";

/** A source file, read from sandbox/ also by the build (like serialMotoServer.py). */
const TLS_CERTIFICATE_SCRIPT = path.join(PROJECT_ROOT, "sandbox", "tlsCertificate.py");

export interface SandboxTls {
  /** The CA certificate clients are given (SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
  readonly caFile: string;
  /** The server's certificate chain and private key, for `https.createServer`. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Deletes the files. */
  remove(): void;
}

export function createSandboxTls(): SandboxTls {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-sandbox-tls-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const run = spawnSync(pythonTool("python"), [TLS_CERTIFICATE_SCRIPT, dir], { encoding: "utf8" });
  if (run.status !== 0) {
    remove();
    const why = run.error?.message ?? (run.stderr.trim().split("\n").pop() || `exit ${run.status}`);
    throw new Error(`could not make the sandbox's TLS certificate with ${TLS_CERTIFICATE_SCRIPT}: ${why}`);
  }
  return {
    caFile: path.join(dir, "ca.pem"),
    cert: fs.readFileSync(path.join(dir, "cert.pem")),
    key: fs.readFileSync(path.join(dir, "key.pem")),
    remove,
  };
}
