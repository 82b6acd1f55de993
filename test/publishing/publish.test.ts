import { expect } from "chai";
import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  FILE_CACHE_CONTROL,
  HTML_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  PAGE_CACHE_CONTROL,
} from "../../domain/storageLayout";
import { sha256Hex } from "../../publishing/distribution";
import { indexLocation } from "../../publishing/indexLocation";
import { readProject, readRoot } from "../../publishing/pageWriter";
import { PublishError, publish } from "../../publishing/publish";
import { reindex } from "../../publishing/reindex";
import { IndexStore } from "../../publishing/indexStore";
import { uploadDistribution } from "../../publishing/storedFiles";
import { inspectDistribution } from "../../publishing/distribution";
import { buildWheel } from "../../publishing/wheelBuilder";
import { listIndex, removeVersion, setYanked } from "../../publishing/yankAndRemove";
import { MotoIndex, snapshot, startMotoIndex, untilHealingPublish } from "../../fixtures/motoIndex";
import { buildSdist, pkgInfo } from "../../fixtures/sdistBuilder";

const acme = indexLocation("acme");

async function pageText(store: IndexStore, key: string): Promise<string> {
  return (await store.get(key))!.body.toString("utf8");
}

describe("publishing: publish, yank, remove, reindex against S3 @integration", () => {
  let fixture: MotoIndex;
  before(async () => {
    fixture = await startMotoIndex();
  });
  after(async () => fixture?.stop());

  it("drops a page entry whose file is gone only once it is an hour old by the publish's clock (healing publishes)", async () => {
    const store = await fixture.newStore();
    const at = (minutes: number) => () => new Date(Date.parse("2026-01-01T00:00:00Z") + minutes * 60_000);
    const first = buildWheel({ name: "tool", version: "1.0" });
    await publish(store, acme, [first], { now: at(0) });
    await fixture.s3.send(
      new DeleteObjectCommand({ Bucket: store.bucket, Key: `acme/main/files/tool/${first.filename}` }),
    );
    const listed = async () => (await readProject(store, acme, "tool"))!.files.map((f) => f.filename);
    await untilHealingPublish(store, acme, "tool");
    await publish(store, acme, [buildWheel({ name: "tool", version: "2.0" })], { now: at(59) });
    expect(await listed()).to.deep.equal(["tool-1.0-py3-none-any.whl", "tool-2.0-py3-none-any.whl"]);
    await untilHealingPublish(store, acme, "tool");
    await publish(store, acme, [buildWheel({ name: "tool", version: "3.0" })], { now: at(61) });
    expect(await listed()).to.deep.equal(["tool-2.0-py3-none-any.whl", "tool-3.0-py3-none-any.whl"]);
  });

  it("publishes a wheel and an sdist: files, .metadata and both page formats with exact headers", async () => {
    const store = await fixture.newStore();
    const wheel = buildWheel({ name: "Demo.Pkg", version: "1.0", requiresPython: ">=3.8" });
    const sdist = {
      filename: "demo_pkg-1.0.tar.gz",
      bytes: buildSdist({ root: "demo_pkg-1.0", pkgInfo: pkgInfo("Demo.Pkg", "1.0") }),
    };
    const now = new Date("2026-05-06T07:08:09.010Z");
    const results = await publish(store, acme, [wheel, sdist], { now: () => now });
    expect(results.map((r) => [r.filename, r.status])).to.deep.equal([
      ["demo_pkg-1.0-py3-none-any.whl", "published"],
      ["demo_pkg-1.0.tar.gz", "published"],
    ]);
    expect(Object.keys(await snapshot(store)).sort()).to.deep.equal([
      "acme/main/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl",
      "acme/main/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl.metadata",
      "acme/main/files/demo-pkg/demo_pkg-1.0.tar.gz",
      "acme/main/simple/demo-pkg/index.html",
      "acme/main/simple/demo-pkg/index.json",
      "acme/main/simple/index.html",
      "acme/main/simple/index.json",
    ]);
    const head = (key: string) => fixture.s3.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    for (const [key, type, cache] of [
      ["acme/main/simple/index.json", JSON_CONTENT_TYPE, PAGE_CACHE_CONTROL],
      ["acme/main/simple/index.html", HTML_CONTENT_TYPE, PAGE_CACHE_CONTROL],
      ["acme/main/simple/demo-pkg/index.json", JSON_CONTENT_TYPE, PAGE_CACHE_CONTROL],
      ["acme/main/simple/demo-pkg/index.html", HTML_CONTENT_TYPE, PAGE_CACHE_CONTROL],
      [
        "acme/main/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl",
        "application/octet-stream",
        FILE_CACHE_CONTROL,
      ],
      [
        "acme/main/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl.metadata",
        "application/octet-stream",
        FILE_CACHE_CONTROL,
      ],
    ]) {
      const out = await head(key);
      expect([out.ContentType, out.CacheControl], key).to.deep.equal([type, cache]);
    }
    const json = JSON.parse(await pageText(store, "acme/main/simple/demo-pkg/index.json"));
    const metadata = (await store.get("acme/main/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl.metadata"))!
      .body;
    expect(json.versions).to.deep.equal(["1.0"]);
    expect(json.files[0]).to.deep.equal({
      filename: "demo_pkg-1.0-py3-none-any.whl",
      url: "../../files/demo-pkg/demo_pkg-1.0-py3-none-any.whl",
      hashes: { sha256: sha256Hex(wheel.bytes) },
      "requires-python": ">=3.8",
      "core-metadata": { sha256: sha256Hex(metadata) },
      "dist-info-metadata": { sha256: sha256Hex(metadata) },
      yanked: false,
      size: wheel.bytes.length,
      "upload-time": "2026-05-06T07:08:09.010000Z",
    });
    expect(json.files[1]).to.include({
      filename: "demo_pkg-1.0.tar.gz",
      "core-metadata": false,
      size: sdist.bytes.length,
    });
    const html = await pageText(store, "acme/main/simple/demo-pkg/index.html");
    expect(html).to.include(`#sha256=${sha256Hex(wheel.bytes)}" data-requires-python="&gt;=3.8"`);
    expect(JSON.parse(await pageText(store, "acme/main/simple/index.json")).projects).to.deep.equal([
      { name: "demo-pkg" },
    ]);
    const tags = await fixture.s3.send(
      new GetObjectTaggingCommand({ Bucket: store.bucket, Key: "acme/main/simple/index.json" }),
    );
    expect(tags.TagSet).to.deep.equal([]);
  });

  it("tags every object of a branch channel ppi-channel-kind=branch", async () => {
    const store = await fixture.newStore();
    await publish(store, indexLocation("acme", "feature-x"), [buildWheel({ name: "a", version: "1" })]);
    const keys = Object.keys(await snapshot(store));
    expect(keys).to.have.length(6);
    for (const key of keys) {
      expect(key.startsWith("acme/feature-x/"), key).to.equal(true);
      const tags = await fixture.s3.send(new GetObjectTaggingCommand({ Bucket: store.bucket, Key: key }));
      expect(tags.TagSet, key).to.deep.equal([{ Key: "ppi-channel-kind", Value: "branch" }]);
    }
  });

  it("publishing the same bytes again is a no-op; different bytes under the name are refused and nothing changes", async () => {
    const store = await fixture.newStore();
    const wheel = buildWheel({ name: "a", version: "1.0" });
    await publish(store, acme, [wheel]);
    const before = await snapshot(store);
    expect((await publish(store, acme, [wheel]))[0].status).to.equal("unchanged");
    expect(await snapshot(store)).to.deep.equal(before);
    const impostor = buildWheel({ name: "a", version: "1.0", files: { "a/__init__.py": "evil = True\n" } });
    expect(impostor.filename).to.equal(wheel.filename);
    const error = await publish(store, acme, [impostor]).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(PublishError);
    expect((error as Error).message).to.equal(
      `a-1.0-py3-none-any.whl already exists in acme/main with different contents (sha256 ${sha256Hex(wheel.bytes)}, ` +
        `yours ${sha256Hex(impostor.bytes)}); published files are immutable: publish a new version`,
    );
    expect((error as PublishError).results.map((r) => r.status)).to.deep.equal(["refused"]);
    expect(await snapshot(store)).to.deep.equal(before);
  });

  it("loses nothing when 16 publishers publish into one new project at once", async () => {
    const store = await fixture.newStore();
    const wheels = Array.from({ length: 16 }, (_, i) => buildWheel({ name: "busy", version: `1.${i}` }));
    const stores = wheels.map(() => new IndexStore(fixture.s3, store.bucket));
    const results = await Promise.all(wheels.map((wheel, i) => publish(stores[i], acme, [wheel])));
    expect(results.flat().map((r) => r.status)).to.deep.equal(Array(16).fill("published"));
    const page = await readProject(store, acme, "busy");
    expect(page!.files.map((f) => f.filename).sort()).to.deep.equal(wheels.map((w) => w.filename).sort());
    const html = await pageText(store, "acme/main/simple/busy/index.html");
    for (const wheel of wheels) expect(html).to.include(`${wheel.filename}#sha256=${sha256Hex(wheel.bytes)}`);
    const jsonGeneration = (await store.head("acme/main/simple/busy/index.json"))!.metadata["ppi-generation"];
    expect((await store.head("acme/main/simple/busy/index.html"))!.metadata["ppi-generation"]).to.equal(
      jsonGeneration,
    );
    expect(await readRoot(store, acme)).to.deep.equal({ projects: ["busy"] });
  });

  it("loses no project when 16 publishers create 16 projects at once", async () => {
    const store = await fixture.newStore();
    const names = Array.from({ length: 16 }, (_, i) => `proj-${i}`);
    await Promise.all(
      names.map((name) =>
        publish(new IndexStore(fixture.s3, store.bucket), acme, [buildWheel({ name, version: "1" })]),
      ),
    );
    expect([...(await readRoot(store, acme))!.projects].sort()).to.deep.equal([...names].sort());
    const html = await pageText(store, "acme/main/simple/index.html");
    for (const name of names) expect(html).to.include(`<a href="${name}/">${name}</a>`);
  });

  it("works for a role that gets 403, not 404, for missing keys (s3:ListBucket conditioned on s3:prefix)", async () => {
    const plain = await fixture.newStore();
    const forbidden = (key: string) =>
      Object.assign(new Error(`Access Denied: ${key}`), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      });
    const s3 = new S3Client(fixture.moto.clientConfig);
    const denied = new Set<string>();
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? "";
        if (denied.has(key)) throw forbidden(key);
        try {
          return await next(args);
        } catch (err) {
          const isRead =
            context.commandName === "GetObjectCommand" || context.commandName === "HeadObjectCommand";
          if (isRead && ["NoSuchKey", "NotFound"].includes((err as Error).name)) throw forbidden(key);
          throw err;
        }
      },
      { step: "initialize", name: "missingIsForbidden" },
    );
    const store = new IndexStore(s3, plain.bucket);
    await publish(store, acme, [buildWheel({ name: "first", version: "1" })]);
    await publish(store, acme, [
      buildWheel({ name: "first", version: "2" }),
      buildWheel({ name: "second", version: "1" }),
    ]);
    expect(await readRoot(plain, acme)).to.deep.equal({ projects: ["first", "second"] });
    expect((await readProject(plain, acme, "first"))!.files).to.have.length(2);
    denied.add("acme/main/simple/first/index.json");
    const error = await publish(store, acme, [buildWheel({ name: "first", version: "3" })]).catch(
      (err: Error) => err,
    );
    expect((error as Error).name).to.equal("AccessDenied");
    s3.destroy();
  });

  describe("bad input is refused with nothing written", () => {
    const good = buildWheel({ name: "ok", version: "1" });
    const mismatched = {
      filename: "ok-2-py3-none-any.whl",
      bytes: buildWheel({ name: "ok", version: "1" }).bytes,
    };
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        "a corrupt zip",
        async () => [good, { filename: "bad-1-py3-none-any.whl", bytes: Buffer.from("garbage") }],
        /not a readable zip archive/,
      ],
      [
        "an invalid file name",
        async () => [good, { filename: "bad-1-py3-none.whl", bytes: good.bytes }],
        /invalid wheel file name/,
      ],
      [
        "METADATA contradicting the name",
        async () => [good, mismatched],
        /says version "1" but the file name says "2"/,
      ],
      ["a file given twice", async () => [good, good], /is given twice/],
    ];
    for (const [what, files, message] of cases) {
      it(what, async () => {
        const store = await fixture.newStore();
        const error = await publish(store, acme, (await files()) as never).catch((err: unknown) => err);
        expect((error as Error).message).to.match(message);
        expect(await store.list("")).to.deep.equal([]);
      });
    }
  });

  it("a crash between file upload and page update: reindex repairs it, and so does the next publish", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [buildWheel({ name: "crashy", version: "1.0" })]);
    const orphan = buildWheel({ name: "crashy", version: "1.1", requiresPython: ">=3.9" });
    // What a publish that crashed after its upload leaves: the file, but no page entry.
    const crashAfterUpload = (into: IndexStore) =>
      uploadDistribution(
        into,
        acme,
        inspectDistribution(orphan.filename, orphan.bytes),
        orphan.bytes,
        new Date(),
      );
    await crashAfterUpload(store);
    expect((await readProject(store, acme, "crashy"))!.files).to.have.length(1);
    // A file put by other means (no user metadata, no .metadata): reindex inspects it.
    const foreign = buildWheel({ name: "crashy", version: "1.2" });
    await fixture.s3.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: `acme/main/files/crashy/${foreign.filename}`,
        Body: foreign.bytes,
      }),
    );
    const result = await reindex(store, acme);
    expect(result).to.deep.equal({ projects: [{ project: "crashy", files: 3 }], emptied: [], warnings: [] });
    const page = (await readProject(store, acme, "crashy"))!;
    expect(page.files.map((f) => f.filename)).to.deep.equal([
      "crashy-1.0-py3-none-any.whl",
      "crashy-1.1-py3-none-any.whl",
      "crashy-1.2-py3-none-any.whl",
    ]);
    expect(page.files[1]).to.include({ requiresPython: ">=3.9", sha256: sha256Hex(orphan.bytes) });
    expect(page.files[2].coreMetadataSha256).to.be.a("string");
    expect(await store.head(`acme/main/files/crashy/${foreign.filename}.metadata`)).to.not.equal(undefined);

    const healing = await fixture.newStore();
    await crashAfterUpload(healing);
    expect(await readProject(healing, acme, "crashy")).to.equal(undefined);
    await publish(healing, acme, [buildWheel({ name: "crashy", version: "2.0" })]);
    expect((await readProject(healing, acme, "crashy"))!.files.map((f) => f.filename)).to.deep.equal([
      "crashy-1.1-py3-none-any.whl",
      "crashy-2.0-py3-none-any.whl",
    ]);
    expect(await readRoot(healing, acme)).to.deep.equal({ projects: ["crashy"] });
  });

  it("skips stray files in a project's folder with a warning, in reindex and in a healing publish", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [buildWheel({ name: "tidy", version: "1" })]);
    await fixture.s3.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: "acme/main/files/tidy/NOTES.txt", Body: "hello" }),
    );
    const warning =
      'skipped stored file tidy/NOTES.txt: unsupported file "NOTES.txt": publish wheels (.whl) or sdists (.tar.gz)';
    expect((await reindex(store, acme)).warnings).to.deep.equal([warning]);
    const warnings: string[] = [];
    await untilHealingPublish(store, acme, "tidy");
    await publish(store, acme, [buildWheel({ name: "tidy", version: "2" })], {
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).to.deep.equal([warning]);
    expect((await readProject(store, acme, "tidy"))!.files.map((f) => f.filename)).to.deep.equal([
      "tidy-1-py3-none-any.whl",
      "tidy-2-py3-none-any.whl",
    ]);
  });

  it("yanks and unyanks a version, keeps yanks through reindex, removes a version, lists", async () => {
    const store = await fixture.newStore();
    await publish(
      store,
      acme,
      ["1.0", "1.1", "2.0"].map((version) => buildWheel({ name: "tool", version })),
    );
    const yanked = await setYanked(store, acme, { project: "Tool", version: "1.1.0" }, "broken on 3.12");
    expect(yanked.map((f) => [f.filename, f.yanked])).to.deep.equal([
      ["tool-1.1-py3-none-any.whl", "broken on 3.12"],
    ]);
    await setYanked(store, acme, { project: "tool", version: "1.0" }, true);
    expect(await pageText(store, "acme/main/simple/tool/index.html")).to.include(
      'data-yanked="broken on 3.12"',
    );
    await setYanked(store, acme, { project: "tool", version: "1.0" }, false);
    await reindex(store, acme);
    const listing = await listIndex(store, acme, "tool");
    expect("files" in listing && listing.files.map((f) => f.yanked)).to.deep.equal([
      false,
      "broken on 3.12",
      false,
    ]);
    const missing = await setYanked(store, acme, { project: "tool", version: "9" }, true).catch(
      (e: Error) => e,
    );
    expect((missing as Error).message).to.equal(
      "version 9 of tool is not published in acme/main; `list --tenant acme tool` shows what is",
    );

    const refused = await removeVersion(store, acme, { project: "tool", version: "2.0" }, false).catch(
      (e: Error) => e,
    );
    expect((refused as Error).message).to.match(/add --yes to confirm/);
    expect(await removeVersion(store, acme, { project: "tool", version: "2.0" }, true)).to.deep.equal([
      "tool-2.0-py3-none-any.whl",
    ]);
    expect(await store.head("acme/main/files/tool/tool-2.0-py3-none-any.whl")).to.equal(undefined);
    expect((await readProject(store, acme, "tool"))!.files).to.have.length(2);
    expect(await listIndex(store, acme)).to.deep.equal({ projects: ["tool"] });

    for (const version of ["1.0", "1.1"])
      await removeVersion(store, acme, { project: "tool", version }, true);
    // The page outlives the files: it holds the tombstones that keep the names from being reused.
    expect(await reindex(store, acme)).to.deep.equal({
      projects: [{ project: "tool", files: 0 }],
      emptied: [],
      warnings: [],
    });
    expect(await listIndex(store, acme)).to.deep.equal({ projects: ["tool"] });
    expect((await readProject(store, acme, "tool"))!.removed!.map((r) => r.filename).sort()).to.deep.equal(
      ["1.0", "1.1", "2.0"].map((v) => `tool-${v}-py3-none-any.whl`),
    );
  });
});
