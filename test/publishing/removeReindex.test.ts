import { expect } from "chai";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { indexLocation } from "../../publishing/indexLocation";
import { readProject, readRoot, updateProject } from "../../publishing/pageWriter";
import { FileEntry } from "../../publishing/pages";
import { PublishError, publish } from "../../publishing/publish";
import { reindex } from "../../publishing/reindex";
import { IndexStore } from "../../publishing/indexStore";
import { buildWheel } from "../../publishing/wheelBuilder";
import { removeVersion } from "../../publishing/yankAndRemove";
import { MotoIndex, snapshot, startMotoIndex, untilHealingPublish } from "../../fixtures/motoIndex";

const acme = indexLocation("acme");

function entry(filename: string): FileEntry {
  return {
    filename,
    sha256: "0".repeat(64),
    size: 1,
    uploadTime: "2026-01-01T00:00:00.000000Z",
    yanked: false,
  };
}

/** Every write of `store` to a page made unconditional: what a broken compare-and-swap would do. */
function withUnconditionalPageWrites(fixture: MotoIndex, store: IndexStore): IndexStore {
  const broken = new IndexStore(fixture.s3, store.bucket);
  broken.put = async (key, body, options) => {
    const out = await fixture.s3.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        Metadata: { ...options.metadata },
      }),
    );
    return out.ETag ?? "";
  };
  return broken;
}

/** 16 concurrent page updates, each adding one entry that has no stored file behind it. */
async function sixteenUpdates(store: IndexStore): Promise<number> {
  await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      updateProject(store, acme, "busy", async (page) => ({
        project: "busy",
        files: [...(page?.files ?? []), entry(`busy-1.${i}-py3-none-any.whl`)],
      })),
    ),
  );
  return (await readProject(store, acme, "busy"))!.files.length;
}

describe("publishing: remove tombstones, reindex races, compare-and-swap @integration", () => {
  let fixture: MotoIndex;
  before(async () => {
    fixture = await startMotoIndex();
  });
  after(async () => fixture?.stop());

  it("16 concurrent page updates lose nothing (and would lose entries without compare-and-swap)", async () => {
    expect(await sixteenUpdates(await fixture.newStore())).to.equal(16);
    // The same race with unconditional writes loses updates: proof that the test can fail.
    const broken = withUnconditionalPageWrites(fixture, await fixture.newStore());
    expect(await sixteenUpdates(broken)).to.be.below(16);
  });

  it("a removed file name is never reused: different or same bytes are refused, nothing is written", async () => {
    const store = await fixture.newStore();
    const original = buildWheel({ name: "reuse", version: "1.0" });
    const other = buildWheel({ name: "reuse", version: "1.0", files: { "reuse/__init__.py": "evil = 1\n" } });
    expect(other.filename).to.equal(original.filename);
    await publish(store, acme, [original]);
    const sha256 = (await readProject(store, acme, "reuse"))!.files[0].sha256;
    expect(await removeVersion(store, acme, { project: "reuse", version: "1" }, true)).to.deep.equal([
      original.filename,
    ]);
    const page = (await readProject(store, acme, "reuse"))!;
    expect(page).to.deep.equal({
      project: "reuse",
      files: [],
      removed: [{ filename: original.filename, sha256 }],
    });
    // Clients see no tombstone in HTML, and PEP 691 reserves `_`-keys for the server in JSON.
    const html = (await store.get("acme/main/simple/reuse/index.html"))!.body.toString("utf8");
    expect(html).to.not.include(original.filename);
    const json = JSON.parse((await store.get("acme/main/simple/reuse/index.json"))!.body.toString("utf8"));
    expect(json.files).to.deep.equal([]);
    expect(json._ppi).to.deep.equal({ removed: [{ filename: original.filename, sha256 }] });

    const before = await snapshot(store);
    for (const wheel of [other, original]) {
      const error = await publish(store, acme, [wheel]).catch((e: Error) => e);
      expect(error).to.be.instanceOf(PublishError);
      expect((error as PublishError).message).to.equal(
        `${original.filename} was published and removed in acme/main; ` +
          "a file name can never be reused: publish a new version",
      );
      expect(await snapshot(store)).to.deep.equal(before);
    }
    // A new version is fine, and removing the old one again is a no-op.
    await publish(store, acme, [buildWheel({ name: "reuse", version: "1.0.1" })]);
    await removeVersion(store, acme, { project: "reuse", version: "1.0" }, true);
    expect((await readProject(store, acme, "reuse"))!.files.map((f) => f.filename)).to.deep.equal([
      "reuse-1.0.1-py3-none-any.whl",
    ]);
  });

  it("a crash after the tombstone leaves files that publish and reindex never list; remove again deletes them", async () => {
    const store = await fixture.newStore();
    const wheel = buildWheel({ name: "halfway", version: "1.0" });
    await publish(store, acme, [wheel]);
    // The crash: the tombstone is written, the files are not deleted yet.
    const deletes = store.delete.bind(store);
    store.delete = async () => {
      throw new Error("crash");
    };
    await removeVersion(store, acme, { project: "halfway", version: "1.0" }, true).catch(() => undefined);
    store.delete = deletes;
    await publish(store, acme, [buildWheel({ name: "halfway", version: "2.0" })]);
    await reindex(store, acme);
    expect((await readProject(store, acme, "halfway"))!.files.map((f) => f.filename)).to.deep.equal([
      "halfway-2.0-py3-none-any.whl",
    ]);
    await removeVersion(store, acme, { project: "halfway", version: "1.0" }, true);
    expect(await store.head(`acme/main/files/halfway/${wheel.filename}`)).to.equal(undefined);
    expect(await store.head(`acme/main/files/halfway/${wheel.filename}.metadata`)).to.equal(undefined);
  });

  it("reindex keeps a publish that lands while it empties a project", async () => {
    const store = await fixture.newStore();
    const first = buildWheel({ name: "gone", version: "1.0" });
    await publish(store, acme, [first]);
    // A page entry whose file vanished (deleted by other means): reindex will empty the project.
    await fixture.s3.send(
      new DeleteObjectCommand({ Bucket: store.bucket, Key: `acme/main/files/gone/${first.filename}` }),
    );
    const deleteIfMatch = store.deleteIfMatch.bind(store);
    let raced = false;
    store.deleteIfMatch = async (key, etag) => {
      if (!raced) {
        raced = true;
        await publish(new IndexStore(fixture.s3, store.bucket), acme, [
          buildWheel({ name: "gone", version: "2.0" }),
        ]);
      }
      return deleteIfMatch(key, etag);
    };
    const result = await reindex(store, acme);
    expect(raced).to.equal(true);
    expect(result.emptied).to.deep.equal([]);
    expect((await readProject(store, acme, "gone"))!.files.map((f) => f.filename)).to.deep.equal([
      "gone-2.0-py3-none-any.whl",
    ]);
    expect(await store.head("acme/main/simple/gone/index.html")).to.not.equal(undefined);
    expect(await readRoot(store, acme)).to.deep.equal({ projects: ["gone"] });
  });

  it("reindex empties a project with no files and no tombstones, and drops it from the root", async () => {
    const store = await fixture.newStore();
    const wheel = buildWheel({ name: "vanished", version: "1.0" });
    await publish(store, acme, [wheel, buildWheel({ name: "stays", version: "1.0" })]);
    await fixture.s3.send(
      new DeleteObjectCommand({ Bucket: store.bucket, Key: `acme/main/files/vanished/${wheel.filename}` }),
    );
    expect(await reindex(store, acme)).to.deep.equal({
      projects: [{ project: "stays", files: 1 }],
      emptied: ["vanished"],
      warnings: [],
    });
    expect(await store.head("acme/main/simple/vanished/index.json")).to.equal(undefined);
    expect(await store.head("acme/main/simple/vanished/index.html")).to.equal(undefined);
    expect(await readRoot(store, acme)).to.deep.equal({ projects: ["stays"] });
  });

  it("a healing publish drops entries whose files expired (branch lifecycle), but not young ones", async () => {
    const store = await fixture.newStore();
    const feature = indexLocation("acme", "feature-x");
    const old = buildWheel({ name: "branchy", version: "1.0" });
    await publish(store, feature, [old], { now: () => new Date(Date.now() - 15 * 86_400_000) });
    await fixture.s3.send(
      new DeleteObjectCommand({ Bucket: store.bucket, Key: `acme/feature-x/files/branchy/${old.filename}` }),
    );
    // An entry just added by a concurrent publish whose file this publish's listing may not show.
    const young = { ...entry("branchy-1.5-py3-none-any.whl"), uploadTime: new Date().toISOString() };
    await updateProject(store, feature, "branchy", async (page) => ({
      project: "branchy",
      files: [...page!.files, young],
    }));
    await untilHealingPublish(store, feature, "branchy");
    await publish(store, feature, [buildWheel({ name: "branchy", version: "2.0" })]);
    expect((await readProject(store, feature, "branchy"))!.files.map((f) => f.filename)).to.deep.equal([
      "branchy-1.5-py3-none-any.whl",
      "branchy-2.0-py3-none-any.whl",
    ]);
  });

  it("a remove that lands during reindex is not undone", async () => {
    const store = await fixture.newStore();
    await publish(
      store,
      acme,
      ["1.0", "2.0"].map((version) => buildWheel({ name: "both", version })),
    );
    const list = store.list.bind(store);
    let raced = false;
    store.list = async (prefix) => {
      const listed = await list(prefix);
      if (!raced && prefix === "acme/main/files/both/") {
        raced = true;
        await removeVersion(
          new IndexStore(fixture.s3, store.bucket),
          acme,
          { project: "both", version: "1.0" },
          true,
        );
      }
      return listed;
    };
    await reindex(store, acme);
    expect(raced).to.equal(true);
    expect((await readProject(store, acme, "both"))!.files.map((f) => f.filename)).to.deep.equal([
      "both-2.0-py3-none-any.whl",
    ]);
  });
});
