/**
 * `check`: a smoke test of a deployed index over HTTPS, as a client sees it: 401 without a key and
 * with a wrong secret; the root and one project page in both formats with their exact content
 * types; an unknown project answering 404 (what pip needs to fall through to other indexes); one
 * file downloaded and its sha256 compared with the page. Credentials go only to the index's own
 * origin: a file URL on another origin is fetched without them. Every check is reported.
 */
import * as crypto from "crypto";
import { HTML_CONTENT_TYPE, JSON_CONTENT_TYPE } from "../domain/storageLayout";
import { CliError } from "./errors";

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CheckOptions {
  /** The index URL, e.g. `https://packages.example.com/simple/`. */
  readonly url: string;
  /** `PUBLIC:SECRET`. */
  readonly key: string;
  readonly fetch?: typeof fetch;
}

/** Thrown by a check step with what it found instead of what it expected. */
class CheckFailure extends Error {}

function expect(condition: boolean, detail: string): void {
  if (!condition) throw new CheckFailure(detail);
}

function mediaType(response: Response): string {
  return (response.headers.get("content-type") ?? "(none)").split(";")[0].trim().toLowerCase();
}

function parseKey(key: string): { publicKey: string; secretKey: string } {
  const colon = key.indexOf(":");
  if (colon <= 0 || colon === key.length - 1)
    throw new CliError("--key must be PUBLIC:SECRET, e.g. ppi_…:ppisk_…");
  return { publicKey: key.slice(0, colon), secretKey: key.slice(colon + 1) };
}

function basic(publicKey: string, secretKey: string): string {
  return "Basic " + Buffer.from(`${publicKey}:${secretKey}`).toString("base64");
}

interface Page {
  readonly response: Response;
  readonly text: string;
}

export async function check(options: CheckOptions): Promise<CheckResult[]> {
  let rootUrl: URL;
  try {
    rootUrl = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
  } catch {
    throw new CliError(
      `--url "${options.url}" is not a URL; pass the index URL, e.g. https://packages.example.com/simple/`,
    );
  }
  const { publicKey, secretKey } = parseKey(options.key);
  const doFetch = options.fetch ?? fetch;
  const auth = basic(publicKey, secretKey);
  const get = async (url: URL, accept: string, authorization?: string): Promise<Page> => {
    const headers: Record<string, string> = { accept };
    if (authorization) headers.authorization = authorization;
    const response = await doFetch(url, { headers });
    return { response, text: await response.text() };
  };
  const results: CheckResult[] = [];
  const step = async (name: string, run: () => Promise<string>): Promise<boolean> => {
    try {
      results.push({ name, ok: true, detail: await run() });
      return true;
    } catch (err) {
      results.push({ name, ok: false, detail: (err as Error).message });
      return false;
    }
  };
  const expectPage = (page: Page, contentType: string) => {
    expect(page.response.status === 200, `HTTP ${page.response.status}, expected 200`);
    expect(
      mediaType(page.response) === contentType,
      `Content-Type ${mediaType(page.response)}, expected ${contentType}`,
    );
  };

  const expect401 = async (authorization?: string) => {
    const { response } = await get(rootUrl, HTML_CONTENT_TYPE, authorization);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(response.status === 401, `HTTP ${response.status}, expected 401`);
    expect(/^basic /i.test(challenge), `WWW-Authenticate "${challenge}", expected a Basic challenge`);
    return "401 with a Basic challenge";
  };
  await step("no key is refused", () => expect401());
  await step("a wrong secret is refused", () =>
    expect401(basic(publicKey, `ppisk_${crypto.randomBytes(32).toString("base64url")}`)),
  );

  let project: string | undefined;
  await step("root page (JSON)", async () => {
    const page = await get(rootUrl, JSON_CONTENT_TYPE, auth);
    expectPage(page, JSON_CONTENT_TYPE);
    const json = JSON.parse(page.text) as {
      meta?: { "api-version"?: string };
      projects?: { name: string }[];
    };
    expect(typeof json.meta?.["api-version"] === "string", "no meta.api-version");
    expect(Array.isArray(json.projects) && json.projects.length > 0, "no projects listed; publish one first");
    project = json.projects![0].name;
    return `${json.projects!.length} project(s), api-version ${json.meta!["api-version"]}`;
  });
  await step("root page (HTML)", async () => {
    const page = await get(rootUrl, HTML_CONTENT_TYPE, auth);
    expectPage(page, HTML_CONTENT_TYPE);
    expect(/<a\s[^>]*href=/i.test(page.text), "no project links");
    return `${page.text.length} bytes`;
  });
  await step("an unknown project is 404", async () => {
    const unknown = new URL(`ppi-check-unknown-${crypto.randomBytes(6).toString("hex")}/`, rootUrl);
    const { response } = await get(unknown, JSON_CONTENT_TYPE, auth);
    expect(response.status === 404, `HTTP ${response.status}, expected 404`);
    return "404";
  });
  if (!project) return results;

  const projectUrl = new URL(`${encodeURIComponent(project)}/`, rootUrl);
  let file: { url: URL; filename: string; sha256: string } | undefined;
  await step(`project page ${project} (JSON)`, async () => {
    const page = await get(projectUrl, JSON_CONTENT_TYPE, auth);
    expectPage(page, JSON_CONTENT_TYPE);
    const json = JSON.parse(page.text) as {
      files?: { filename: string; url: string; hashes?: { sha256?: string } }[];
    };
    const first = json.files?.find((f) => typeof f.hashes?.sha256 === "string");
    expect(first !== undefined, "no file with a sha256 hash");
    file = {
      url: new URL(first!.url, projectUrl),
      filename: first!.filename,
      sha256: first!.hashes!.sha256!,
    };
    return `${json.files!.length} file(s)`;
  });
  await step(`project page ${project} (HTML)`, async () => {
    const page = await get(projectUrl, HTML_CONTENT_TYPE, auth);
    expectPage(page, HTML_CONTENT_TYPE);
    expect(/href="[^"]*#sha256=[0-9a-f]{64}"/.test(page.text), "no file link with a #sha256= fragment");
    if (file)
      expect(
        page.text.includes(`#sha256=${file.sha256}`),
        `no link to ${file.filename} with the JSON page's hash`,
      );
    return "links carry sha256 fragments";
  });
  if (!file) return results;
  const { url, filename, sha256 } = file;
  await step(`download ${filename}`, async () => {
    const sameOrigin = url.origin === rootUrl.origin;
    const response = await doFetch(url, sameOrigin ? { headers: { authorization: auth } } : {});
    expect(response.status === 200, `HTTP ${response.status}, expected 200`);
    const actual = crypto
      .createHash("sha256")
      .update(Buffer.from(await response.arrayBuffer()))
      .digest("hex");
    expect(actual === sha256, `sha256 ${actual}, the page says ${sha256}`);
    return sameOrigin ? "sha256 matches the page" : `sha256 matches the page (sent no key to ${url.origin})`;
  });
  return results;
}
