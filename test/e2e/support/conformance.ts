/**
 * The client conformance table: pip, uv and poetry (the pinned versions) each resolve the same
 * requirements against the sandbox — alone, or as the first of two indexes with the static index
 * of `staticIndex.ts` second — and every cell is what the request logs and the client's result
 * showed. `npm run conformance` prints it; `docs/clients.md` holds it; the conformance test
 * asserts that each observed cell is the documented one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSandbox, Sandbox, urlWithKey } from "../../../sandbox";
import type { ServedRequest } from "../../../sandbox/cloudfront";
import { pinnedToolVersions } from "../../../sandbox/pythonTools";
import { output, pip, poetry, poetryEnv, RunResult, uv, uvEnv } from "../../../fixtures/pythonClients";
import { indexFixture } from "../../../fixtures/sandboxIndex";
import { JSON_TYPE } from "./pages";
import { askedFor, pyprojectToml } from "./scenario";
import { startStaticIndex, StaticIndex, StaticIndexRequest } from "./staticIndex";

export const CLIENTS = ["pip", "uv", "poetry"] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The table's rows: what each client was seen to do. */
export const CAPABILITIES = {
  json: "project page read (PEP 691 JSON or PEP 503 HTML)",
  metadata: "metadata file to resolve (PEP 658)",
  requiresPython: "Requires-Python of a newer version",
  yanked: "yanked version (PEP 592)",
  headRange: "wheel URL without a metadata file",
  notFound: "project missing from the first index (404)",
  unauthorized: "wrong key on the first index (401)",
  higherElsewhere: "higher version of a private project on the second index",
} as const;
export type Capability = keyof typeof CAPABILITIES;

export type ConformanceTable = Record<ClientName, Record<Capability, string>>;

export interface Conformance {
  readonly versions: Record<ClientName, string>;
  readonly cells: ConformanceTable;
}

const PROJECT = "ppi-demo-hello";
const PUBLIC_PROJECT = "ppi-public-thing";
const WHEEL = (version: string) => `ppi_demo_hello-${version}-py3-none-any.whl`;
/** Newer than anything private: a client that takes it would install a look-alike from elsewhere. */
const LOOKALIKE_VERSION = "99.0.0";

interface IndexKey {
  readonly url: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

/** The sandbox first (with `key`), optionally the static index second. */
interface Indexes {
  readonly first: IndexKey;
  readonly second?: string;
}

interface Resolution {
  readonly result: RunResult;
  /** Normalized project name → the version the client chose. */
  readonly versions: ReadonlyMap<string, string>;
}

type Resolver = (dir: string, requirements: readonly string[], indexes: Indexes) => Promise<Resolution>;

function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** `pip install --dry-run --report -`: resolution with nothing installed, the choice as JSON. */
const resolveWithPip: Resolver = async (_dir, requirements, { first, second }) => {
  const result = await pip("install", urlWithKey(first.url, first.publicKey, first.secretKey), [
    "--dry-run",
    "--ignore-installed",
    "--quiet",
    "--report",
    "-",
    ...(second ? ["--extra-index-url", second] : []),
    ...requirements,
  ]);
  const versions = new Map<string, string>();
  if (result.code === 0) {
    const report = JSON.parse(result.stdout) as {
      install: { metadata: { name: string; version: string } }[];
    };
    for (const { metadata } of report.install) versions.set(normalized(metadata.name), metadata.version);
  }
  return { result, versions };
};

/** `uv pip compile` with uv's default `first-index` strategy: the sandbox as `--index`, the static one as default. */
const resolveWithUv: Resolver = async (dir, requirements, { first, second }) => {
  const input = path.join(dir, "requirements.in");
  fs.writeFileSync(input, requirements.join("\n") + "\n");
  const sandbox = urlWithKey(first.url, first.publicKey, first.secretKey);
  const indexes = second ? ["--index", sandbox, "--default-index", second] : ["--default-index", sandbox];
  const result = await uv(["pip", "compile", input, "--no-header", "--no-annotate", ...indexes], {
    cwd: dir,
    env: uvEnv(dir),
  });
  const versions = new Map<string, string>();
  for (const [, name, version] of result.stdout.matchAll(/^([A-Za-z0-9._-]+)==(\S+)$/gm)) {
    versions.set(normalized(name), version);
  }
  return { result, versions };
};

/** `poetry lock` of a project whose primary sources are the sandbox (http-basic) and then the static index. */
const resolveWithPoetry: Resolver = async (dir, requirements, { first, second }) => {
  const source = (name: string, url: string) =>
    `[[tool.poetry.source]]\nname = "${name}"\nurl = "${url}"\npriority = "primary"\n`;
  const sources = [source("ppi", first.url), ...(second ? [source("public", second)] : [])];
  fs.writeFileSync(
    path.join(dir, "pyproject.toml"),
    pyprojectToml(
      "conformance",
      requirements,
      ["[tool.poetry]", "package-mode = false", "", ...sources].join("\n"),
    ),
  );
  const env = poetryEnv(dir, {
    POETRY_HTTP_BASIC_PPI_USERNAME: first.publicKey,
    POETRY_HTTP_BASIC_PPI_PASSWORD: first.secretKey,
  });
  const result = await poetry(["lock"], { cwd: dir, env });
  const versions = new Map<string, string>();
  if (result.code === 0) {
    const lock = fs.readFileSync(path.join(dir, "poetry.lock"), "utf8");
    for (const [, name, version] of lock.matchAll(
      /^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/gm,
    )) {
      versions.set(normalized(name), version);
    }
  }
  return { result, versions };
};

const RESOLVERS: Record<ClientName, Resolver> = {
  pip: resolveWithPip,
  uv: resolveWithUv,
  poetry: resolveWithPoetry,
};

/** One resolution with the slices of both request logs it caused. */
interface Observation extends Resolution {
  readonly sandbox: readonly ServedRequest[];
  readonly secondIndex: readonly StaticIndexRequest[];
}

const isWheel = (url: string) => url.split("?")[0].endsWith(".whl");

function pageFormat(o: Observation): string {
  const types = [
    ...new Set(
      o.sandbox.filter((s) => s.url === `/simple/${PROJECT}/` && s.status === 200).map((s) => s.contentType),
    ),
  ];
  if (types.length === 1 && types[0] === JSON_TYPE) return "JSON";
  if (types.length === 1 && types[0] === "text/html") return "HTML";
  return types.length === 0 ? "page not read" : `several: ${types.join(", ")}`;
}

function metadataUse(o: Observation): string {
  const metadata = o.sandbox.filter(
    (s) => s.method === "GET" && s.url.endsWith(".whl.metadata") && s.status === 200,
  );
  const wheels = o.sandbox.filter((s) => s.method === "GET" && isWheel(s.url));
  if (metadata.length > 0 && wheels.length === 0) return "read; no wheel downloaded to resolve";
  if (wheels.length > 0)
    return `wheel downloaded to resolve${metadata.length > 0 ? " (metadata read too)" : ""}`;
  return "not read";
}

function chosen(o: Observation, project: string): string {
  return o.result.code === 0 ? (o.versions.get(project) ?? "nothing") : "resolution failed";
}

function requiresPythonUse(o: Observation): string {
  const version = chosen(o, PROJECT);
  return version === "1.1.0" ? "honoured: 1.1.0, not 2.0.0 (>=3.99)" : `not honoured: ${version}`;
}

function yankedUse(unpinned: Observation, pinned: Observation): string {
  const [a, b] = [chosen(unpinned, PROJECT), chosen(pinned, PROJECT)];
  return a === "resolution failed" && b === "1.2.0"
    ? "skipped unless pinned with =="
    : `>1.1.0,<2: ${a}; ==1.2.0: ${b}`;
}

function wheelWithoutMetadata(o: Observation): string {
  const wheel = o.sandbox.filter((s) => isWheel(s.url));
  const parts = [
    wheel.some((s) => s.method === "HEAD" && s.status === 200) ? "HEAD" : "",
    wheel.some((s) => s.method === "GET" && s.range !== undefined && s.status === 206)
      ? "Range requests (206)"
      : "",
    wheel.some((s) => s.method === "GET" && s.range === undefined && s.status === 200)
      ? "whole wheel GET"
      : "",
  ].filter(Boolean);
  const outcome = o.result.code === 0 ? "" : ", then failed";
  return parts.length === 0 ? `wheel not fetched${outcome}` : parts.join(" + ") + outcome;
}

function missingProject(o: Observation): string {
  const sandbox404 = o.sandbox.some((s) => s.url === `/simple/${PUBLIC_PROJECT}/` && s.status === 404);
  if (!sandbox404) return "first index not asked";
  if (o.result.code === 0 && chosen(o, PUBLIC_PROJECT) === "1.0.0") return "next index used";
  return askedFor(o.secondIndex, PUBLIC_PROJECT) ? "next index asked, then failed" : "stops";
}

function wrongKey(o: Observation): string {
  const denied = o.sandbox.some((s) => s.url === `/simple/${PUBLIC_PROJECT}/` && s.status === 401);
  if (!denied) return "first index not asked";
  const named = /\b401\b|unauthori[sz]ed|authori[sz]ation error/i.test(output(o.result));
  if (o.result.code === 0 && chosen(o, PUBLIC_PROJECT) === "1.0.0") {
    return named ? "warns of the 401, uses the next index" : "uses the next index without a word";
  }
  const next = askedFor(o.secondIndex, PUBLIC_PROJECT) ? "" : ", next index not asked";
  return `${named ? "stops with the 401 error" : "stops without naming the 401"}${next}`;
}

function higherVersionElsewhere(o: Observation): string {
  const version = chosen(o, PROJECT);
  if (version === "1.1.0") {
    return `first index kept (1.1.0)${askedFor(o.secondIndex, PROJECT) ? "" : ", next index not asked"}`;
  }
  return version === LOOKALIKE_VERSION
    ? `higher version taken (${LOOKALIKE_VERSION} from the second index)`
    : version;
}

/** Starts a sandbox with the content the table needs and the static second index. */
async function startIndexes(): Promise<{ sandbox: Sandbox; second: StaticIndex; log: ServedRequest[] }> {
  const log: ServedRequest[] = [];
  const sandbox = await startSandbox({ port: 0, quiet: true, onServed: (s) => log.push(s) });
  const fixture = indexFixture(sandbox);
  try {
    // demo/main already holds 1.0.0 and 1.1.0 (>=3.8).
    await fixture.publishWheels("demo", [
      { name: PROJECT, version: "1.2.0", requiresPython: ">=3.8" },
      { name: PROJECT, version: "2.0.0", requiresPython: ">=3.99" },
    ]);
    await fixture.yank("demo", PROJECT, "1.2.0", "broken build");
  } finally {
    fixture.destroy();
  }
  const second = await startStaticIndex([
    { name: PUBLIC_PROJECT, version: "1.0.0" },
    { name: PROJECT, version: LOOKALIKE_VERSION },
  ]);
  return { sandbox, second, log };
}

/** Runs every scenario with every client (sequentially: one sandbox, ordered logs). */
export async function observeConformance(): Promise<Conformance> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-conformance-"));
  const { sandbox, second, log } = await startIndexes();
  try {
    const key: IndexKey = { url: sandbox.url, publicKey: sandbox.publicKey, secretKey: sandbox.secretKey };
    const wrong: IndexKey = { ...key, secretKey: `ppisk_${"A".repeat(43)}` };
    const wheelUrl = urlWithKey(
      `${sandbox.origin}/files/${PROJECT}/${WHEEL("1.1.0")}`,
      key.publicKey,
      key.secretKey,
    );
    const cells = {} as ConformanceTable;
    for (const client of CLIENTS) {
      const observe = async (requirements: readonly string[], indexes: Indexes): Promise<Observation> => {
        const dir = fs.mkdtempSync(path.join(work, `${client}-`));
        const [sandboxFrom, secondFrom] = [log.length, second.requests.length];
        const resolution = await RESOLVERS[client](dir, requirements, indexes);
        return {
          ...resolution,
          sandbox: log.slice(sandboxFrom),
          secondIndex: second.requests.slice(secondFrom),
        };
      };
      const plain = await observe([PROJECT], { first: key });
      const unpinned = await observe([`${PROJECT}>1.1.0,<2`], { first: key });
      const pinned = await observe([`${PROJECT}==1.2.0`], { first: key });
      const direct = await observe([`${PROJECT} @ ${wheelUrl}`], { first: key });
      const missing = await observe([PUBLIC_PROJECT], { first: key, second: second.url });
      const denied = await observe([PUBLIC_PROJECT], { first: wrong, second: second.url });
      const lookalike = await observe([PROJECT], { first: key, second: second.url });
      cells[client] = {
        json: pageFormat(plain),
        metadata: metadataUse(plain),
        requiresPython: requiresPythonUse(plain),
        yanked: yankedUse(unpinned, pinned),
        headRange: wheelWithoutMetadata(direct),
        notFound: missingProject(missing),
        unauthorized: wrongKey(denied),
        higherElsewhere: higherVersionElsewhere(lookalike),
      };
    }
    const pinnedVersions = pinnedToolVersions();
    return {
      versions: { pip: pinnedVersions.pip, uv: pinnedVersions.uv, poetry: pinnedVersions.poetry },
      cells,
    };
  } finally {
    await sandbox.stop();
    await second.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The table as Markdown: one row per capability, one column per client and version. */
export function renderConformance({ versions, cells }: Conformance): string {
  const header = `| capability | ${CLIENTS.map((c) => `${c} ${versions[c]}`).join(" | ")} |`;
  const rule = `|---|${CLIENTS.map(() => "---").join("|")}|`;
  const rows = (Object.keys(CAPABILITIES) as Capability[]).map(
    (capability) =>
      `| ${CAPABILITIES[capability]} | ${CLIENTS.map((c) => cells[c][capability]).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}

/** Reads a table `renderConformance` wrote (e.g. the one in docs/clients.md) back into cells. */
export function parseConformance(markdown: string): Conformance {
  const lines = markdown
    .trim()
    .split("\n")
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((c) => c.trim()),
    );
  const [header, , ...rows] = lines;
  const versions = {} as Record<ClientName, string>;
  CLIENTS.forEach((client, i) => {
    const [name, version] = (header[i + 1] ?? "").split(" ");
    if (name !== client)
      throw new Error(
        `column ${i + 2} of the conformance table is "${header[i + 1]}", expected ${client} <version>`,
      );
    versions[client] = version;
  });
  const cells = Object.fromEntries(CLIENTS.map((c) => [c, {}])) as ConformanceTable;
  for (const [capability, label] of Object.entries(CAPABILITIES) as [Capability, string][]) {
    const row = rows.find((r) => r[0] === label);
    if (!row) throw new Error(`the conformance table has no row "${label}"`);
    CLIENTS.forEach((client, i) => (cells[client][capability] = row[i + 1]));
  }
  return { versions, cells };
}
