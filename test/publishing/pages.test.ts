import { expect } from "chai";
import {
  API_VERSION,
  FileEntry,
  parseProjectJson,
  parseRootJson,
  renderProjectHtml,
  renderProjectJson,
  renderRootHtml,
  renderRootJson,
  uploadTimeOf,
} from "../../publishing/pages";
import type { ProjectStatusMarker } from "../../domain/projectStatus";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const SHA_M = "c".repeat(64);

const wheel: FileEntry = {
  filename: "foo_bar-1.10-py3-none-any.whl",
  sha256: SHA_A,
  size: 1234,
  uploadTime: "2026-01-02T03:04:05.678000Z",
  requiresPython: "<4,>=3.8",
  coreMetadataSha256: SHA_M,
  yanked: 'broken "build" <b>',
};
const sdist: FileEntry = {
  filename: "foo_bar-1.9.tar.gz",
  sha256: SHA_B,
  size: 99,
  uploadTime: "2026-01-01T00:00:00.000000Z",
  yanked: false,
};
const page = { project: "foo-bar", files: [wheel, sdist] };

describe("publishing: project pages (PEP 503 / 691 / 592 / 658 / 714 / 700)", () => {
  it("renders the JSON page with every field, files in version order", () => {
    expect(JSON.parse(renderProjectJson(page))).to.deep.equal({
      meta: { "api-version": API_VERSION },
      name: "foo-bar",
      versions: ["1.9", "1.10"],
      files: [
        {
          filename: "foo_bar-1.9.tar.gz",
          url: "../../files/foo-bar/foo_bar-1.9.tar.gz",
          hashes: { sha256: SHA_B },
          "core-metadata": false,
          "dist-info-metadata": false,
          yanked: false,
          size: 99,
          "upload-time": "2026-01-01T00:00:00.000000Z",
        },
        {
          filename: "foo_bar-1.10-py3-none-any.whl",
          url: "../../files/foo-bar/foo_bar-1.10-py3-none-any.whl",
          hashes: { sha256: SHA_A },
          "requires-python": "<4,>=3.8",
          "core-metadata": { sha256: SHA_M },
          "dist-info-metadata": { sha256: SHA_M },
          yanked: 'broken "build" <b>',
          size: 1234,
          "upload-time": "2026-01-02T03:04:05.678000Z",
        },
      ],
    });
    expect(API_VERSION).to.equal("1.1");
  });

  it("renders the HTML page with escaped attributes and relative links carrying #sha256", () => {
    const html = renderProjectHtml(page);
    expect(html).to.include('<meta name="pypi:repository-version" content="1.1">');
    expect(html).to.include(
      `<a href="../../files/foo-bar/foo_bar-1.10-py3-none-any.whl#sha256=${SHA_A}" data-requires-python="&lt;4,&gt;=3.8" ` +
        `data-dist-info-metadata="sha256=${SHA_M}" data-core-metadata="sha256=${SHA_M}" ` +
        `data-yanked="broken &quot;build&quot; &lt;b&gt;">foo_bar-1.10-py3-none-any.whl</a><br>`,
    );
    expect(html).to.include(
      `<a href="../../files/foo-bar/foo_bar-1.9.tar.gz#sha256=${SHA_B}">foo_bar-1.9.tar.gz</a><br>`,
    );
    expect(html.indexOf("1.9.tar.gz")).to.be.lessThan(html.indexOf("1.10-py3"));
  });

  it("marks a file yanked without a reason with an empty data-yanked and true", () => {
    const yanked = { project: "foo-bar", files: [{ ...sdist, yanked: true }] };
    expect(renderProjectHtml(yanked)).to.include('data-yanked=""');
    expect(JSON.parse(renderProjectJson(yanked)).files[0].yanked).to.equal(true);
  });

  it("parses its own JSON page back to the same model", () => {
    const parsed = parseProjectJson(renderProjectJson(page), "test");
    expect(parsed).to.deep.equal({ project: "foo-bar", files: [sdist, wheel] });
  });

  it("refuses a page it did not write, naming reindex", () => {
    expect(() => parseProjectJson("{nope", "k/index.json")).to.throw(
      /k\/index\.json is not a page this CLI wrote .*reindex/,
    );
    expect(() => parseProjectJson('{"name":"x","files":[{"filename":"f"}]}', "k")).to.throw(
      /lacks filename or sha256/,
    );
  });

  it("keeps tombstones under the PEP 691 private key _ppi, out of the HTML, and refuses malformed ones", () => {
    const page = {
      project: "gone",
      files: [],
      removed: [
        { filename: "gone-1.0-py3-none-any.whl", sha256: "a".repeat(64) },
        { filename: "gone-0.9.tar.gz" },
      ],
    };
    const json = renderProjectJson(page);
    expect(JSON.parse(json)._ppi).to.deep.equal({ removed: page.removed });
    expect(parseProjectJson(json, "k")).to.deep.equal(page);
    expect(renderProjectHtml(page)).to.not.include("gone-1.0");
    expect(JSON.parse(renderProjectJson({ project: "p", files: [] }))).to.not.have.property("_ppi");
    for (const bad of ['{"removed":[{"sha256":"x"}]}', '{"removed":{}}', "[]"])
      expect(() => parseProjectJson(`{"name":"x","files":[],"_ppi":${bad}}`, "k")).to.throw(/malformed _ppi/);
  });

  describe("PEP 792 project status markers (API 1.4 on a page that carries one)", () => {
    const reason = `moved to "new" <pkg> & co's`;
    const cases: {
      status: ProjectStatusMarker;
      reason?: string;
      json: string;
      html: string[];
      offered: string[];
    }[] = [
      {
        status: "active",
        json: '"project-status":{"status":"active"}',
        html: ['<meta name="pypi:project-status" content="active">'],
        offered: ["foo_bar-1.9.tar.gz", "foo_bar-1.10-py3-none-any.whl"],
      },
      {
        status: "deprecated",
        reason,
        json: `"project-status":{"status":"deprecated","reason":"moved to \\"new\\" <pkg> & co's"}`,
        html: [
          '<meta name="pypi:project-status" content="deprecated">',
          '<meta name="pypi:project-status-reason" content="moved to &quot;new&quot; &lt;pkg&gt; &amp; co&#39;s">',
        ],
        offered: ["foo_bar-1.9.tar.gz", "foo_bar-1.10-py3-none-any.whl"],
      },
      {
        status: "archived",
        reason: "no longer maintained",
        json: '"project-status":{"status":"archived","reason":"no longer maintained"}',
        html: [
          '<meta name="pypi:project-status" content="archived">',
          '<meta name="pypi:project-status-reason" content="no longer maintained">',
        ],
        offered: ["foo_bar-1.9.tar.gz", "foo_bar-1.10-py3-none-any.whl"],
      },
      {
        status: "quarantined",
        reason: "malware",
        json: '"project-status":{"status":"quarantined","reason":"malware"}',
        html: [
          '<meta name="pypi:project-status" content="quarantined">',
          '<meta name="pypi:project-status-reason" content="malware">',
        ],
        offered: [],
      },
    ];
    for (const c of cases) {
      const status = { status: c.status, ...(c.reason === undefined ? {} : { reason: c.reason }) };
      const marked = { ...page, status };

      it(`${c.status}${c.reason ? " with a reason" : ""}: the JSON page`, () => {
        const json = renderProjectJson(marked);
        expect(
          json.startsWith(`{"meta":{"api-version":"1.4"},"name":"foo-bar",${c.json},"versions":`),
        ).to.equal(true, json);
        const parsed = JSON.parse(json);
        expect(parsed.files.map((f: { filename: string }) => f.filename)).to.deep.equal(c.offered);
        expect(parsed.versions).to.deep.equal(c.offered.length ? ["1.9", "1.10"] : []);
        expect(parseProjectJson(json, "k")).to.deep.equal({ ...marked, files: [sdist, wheel] });
      });

      it(`${c.status}${c.reason ? " with a reason" : ""}: the HTML page`, () => {
        const html = renderProjectHtml(marked, 7);
        const head = html.slice(html.indexOf("<head>"), html.indexOf("<title>"));
        expect(head).to.equal(
          [
            "<head>",
            '    <meta name="pypi:repository-version" content="1.4">',
            ...c.html.map((line) => `    ${line}`),
            '    <meta name="ppi-generation" content="7">',
            "    ",
          ].join("\n"),
        );
        const links = [...html.matchAll(/<a href="[^"]+"[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
        expect(links).to.deep.equal(c.offered);
      });
    }

    it("quarantined: the withheld files stay in the private key, without links", () => {
      const json = JSON.parse(renderProjectJson({ ...page, status: { status: "quarantined" } }));
      expect(json._ppi.withheld.map((f: { filename: string }) => f.filename)).to.deep.equal([
        "foo_bar-1.9.tar.gz",
        "foo_bar-1.10-py3-none-any.whl",
      ]);
      expect(JSON.stringify(json)).to.not.include("../../files/");
    });

    it("a page without a status stays at 1.1 with no marker", () => {
      expect(renderProjectJson(page)).to.not.include("project-status");
      expect(renderProjectHtml(page)).to.not.include("project-status");
      expect(renderProjectHtml(page)).to.include('<meta name="pypi:repository-version" content="1.1">');
    });

    it("refuses a malformed stored status", () => {
      for (const bad of ['"archived"', '{"status":"gone"}', '{"status":"archived","reason":1}'])
        expect(() => parseProjectJson(`{"name":"x","files":[],"project-status":${bad}}`, "k")).to.throw(
          /malformed project-status/,
        );
    });
  });

  it("renders and parses the root page", () => {
    const root = { projects: ["zeta", "alpha"] };
    expect(JSON.parse(renderRootJson(root))).to.deep.equal({
      meta: { "api-version": "1.1" },
      projects: [{ name: "alpha" }, { name: "zeta" }],
    });
    expect(renderRootHtml(root)).to.include(
      '<a href="alpha/">alpha</a><br>\n    <a href="zeta/">zeta</a><br>',
    );
    expect(parseRootJson(renderRootJson(root), "t")).to.deep.equal({ projects: ["alpha", "zeta"] });
  });

  it("writes upload-time in PEP 700's microsecond form", () => {
    expect(uploadTimeOf(new Date("2026-03-04T05:06:07.089Z"))).to.equal("2026-03-04T05:06:07.089000Z");
  });
});
