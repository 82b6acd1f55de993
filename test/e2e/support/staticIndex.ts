/**
 * A second, plain index on loopback: static PEP 503 HTML pages (with PEP 658 metadata files), as
 * a web server in front of a directory tree would serve them, no authentication. The tests use it
 * as the index a client falls through to, or as the stand-in for public PyPI, and read its request
 * log to see whether a client asked it anything.
 */
import * as http from "http";
import { inspectDistribution, sha256Hex } from "../../../publishing/distribution";
import { FileEntry, renderProjectHtml, renderRootHtml, uploadTimeOf } from "../../../publishing/pages";
import { buildWheel, WheelSpec } from "../../../publishing/wheelBuilder";

export interface StaticIndexRequest {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** The `Authorization` header it was sent, if any: a redirect to it must carry none. */
  readonly authorization?: string;
}

export interface StaticIndex {
  /** `http://127.0.0.1:<port>/simple/`. */
  readonly url: string;
  /** Every request answered since the last `clearLog()`. */
  readonly requests: readonly StaticIndexRequest[];
  clearLog(): void;
  stop(): Promise<void>;
}

const UPLOAD_TIME = uploadTimeOf(new Date("2024-01-01T00:00:00Z"));

interface Resource {
  readonly body: Uint8Array | string;
  readonly contentType: string;
}

function resources(specs: readonly WheelSpec[]): Map<string, Resource> {
  const pages = new Map<string, FileEntry[]>();
  const served = new Map<string, Resource>();
  for (const wheel of specs.map(buildWheel)) {
    const { project, sha256, size, coreMetadata } = inspectDistribution(wheel.filename, wheel.bytes);
    const file = `/files/${project}/${encodeURIComponent(wheel.filename)}`;
    served.set(file, { body: wheel.bytes, contentType: "application/octet-stream" });
    served.set(`${file}.metadata`, { body: coreMetadata!, contentType: "application/octet-stream" });
    pages.set(project, [
      ...(pages.get(project) ?? []),
      {
        filename: wheel.filename,
        sha256,
        size,
        uploadTime: UPLOAD_TIME,
        coreMetadataSha256: sha256Hex(coreMetadata!),
        yanked: false,
      },
    ]);
  }
  for (const [project, files] of pages) {
    served.set(`/simple/${project}/`, {
      body: renderProjectHtml({ project, files }),
      contentType: "text/html",
    });
  }
  served.set("/simple/", { body: renderRootHtml({ projects: [...pages.keys()] }), contentType: "text/html" });
  return served;
}

/** Serves wheels built from `specs` on a free loopback port. */
export async function startStaticIndex(specs: readonly WheelSpec[]): Promise<StaticIndex> {
  const served = resources(specs);
  const requests: StaticIndexRequest[] = [];
  const server = http.createServer((request, response) => {
    const method = request.method ?? "GET";
    const url = request.url ?? "/";
    const resource = method === "GET" || method === "HEAD" ? served.get(url.split("?")[0]) : undefined;
    const status = resource ? 200 : method === "GET" || method === "HEAD" ? 404 : 405;
    const { authorization } = request.headers;
    requests.push({ method, url, status, ...(authorization === undefined ? {} : { authorization }) });
    if (!resource) {
      response.writeHead(status, { "content-type": "text/plain" }).end(`${status}\n`);
      return;
    }
    const body = Buffer.from(resource.body);
    response.writeHead(200, { "content-type": resource.contentType, "content-length": body.length });
    response.end(method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    clearLog: () => void requests.splice(0),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
