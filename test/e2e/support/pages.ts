/** Reading the index's pages the way a client does: PEP 691 JSON and PEP 503 HTML anchors. */
import { expect } from "chai";

/** pip's Accept header (JSON preferred, HTML accepted). */
export const PIP_ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
export const JSON_TYPE = "application/vnd.pypi.simple.v1+json";

export interface Anchor {
  readonly href: string;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The `<a>` elements of a PEP 503 page (the index writes one attribute-quoted anchor per line). */
export function anchorsOf(html: string): Anchor[] {
  return [...html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/g)].map(([, attributeText, text]) => {
    const attributes = Object.fromEntries(
      [...attributeText.matchAll(/([a-z-]+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
    );
    return { href: attributes.href, text, attributes };
  });
}

/** Undoes the HTML escaping of attribute values (`&#62;` / `&gt;` …). */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

export interface JsonProjectFile {
  readonly filename: string;
  readonly url: string;
  readonly hashes: { readonly sha256: string };
  readonly "requires-python"?: string;
  readonly yanked: boolean | string;
  readonly "core-metadata"?: { readonly sha256: string } | boolean;
}

export interface JsonProjectPage {
  readonly meta: { readonly "api-version": string };
  readonly name: string;
  readonly versions: readonly string[];
  readonly files: readonly JsonProjectFile[];
}

/** GETs a page with `accept` and checks its exact Content-Type; returns the body. */
export async function fetchPage(
  url: string,
  authorization: string,
  accept: string,
  contentType: string,
): Promise<string> {
  const response = await fetch(url, { headers: { Authorization: authorization, Accept: accept } });
  expect(response.status, `GET ${url}`).to.equal(200);
  expect(response.headers.get("content-type"), `Content-Type of ${url}`).to.equal(contentType);
  return response.text();
}

export function basicAuthorization(publicKey: string, secretKey: string): string {
  return `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString("base64")}`;
}
