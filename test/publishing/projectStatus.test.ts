/**
 * PEP 792 project status on S3 (moto): `setProjectStatus` writes both page formats through the
 * compare-and-swap page writer; the status survives publish, healing, yank and reindex; archived
 * and quarantined projects refuse publishing with nothing written; a publish racing a status set
 * keeps both.
 */
import { expect } from "chai";
import { projectPageKey } from "../../domain/storageLayout";
import { indexLocation } from "../../publishing/indexLocation";
import { readProject } from "../../publishing/pageWriter";
import { PublishError, publish } from "../../publishing/publish";
import { reindex } from "../../publishing/reindex";
import { IndexStore } from "../../publishing/indexStore";
import { inspectDistribution } from "../../publishing/distribution";
import { uploadDistribution } from "../../publishing/storedFiles";
import { BuiltWheel, buildWheel } from "../../publishing/wheelBuilder";
import { setProjectStatus, setYanked } from "../../publishing/yankAndRemove";
import { MotoIndex, snapshot, startMotoIndex, untilHealingPublish } from "../../fixtures/motoIndex";

const acme = indexLocation("acme");

async function pages(store: IndexStore, project: string) {
  const json = (await store.get(projectPageKey("acme", "main", project, "json")))!.body.toString();
  const html = (await store.get(projectPageKey("acme", "main", project, "html")))!.body.toString();
  return { json: JSON.parse(json), html };
}

describe("publishing: PEP 792 project status on S3 @integration", () => {
  let fixture: MotoIndex;
  before(async () => {
    fixture = await startMotoIndex();
  });
  after(async () => fixture?.stop());

  it("sets the status on both pages and keeps it through publish, healing, yank and reindex", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [buildWheel({ name: "keeper", version: "1.0" })]);
    await setProjectStatus(store, acme, "Keeper", "deprecated", "use keeper2");
    const expectStatus = async (when: string) => {
      const { json, html } = await pages(store, "keeper");
      expect(json["project-status"], when).to.deep.equal({ status: "deprecated", reason: "use keeper2" });
      expect(json.meta, when).to.deep.equal({ "api-version": "1.4" });
      expect(html, when).to.include('<meta name="pypi:project-status" content="deprecated">');
      expect(html, when).to.include('<meta name="pypi:project-status-reason" content="use keeper2">');
    };
    await expectStatus("after status set");
    await publish(store, acme, [buildWheel({ name: "keeper", version: "1.1" })]); // deprecated accepts files
    await expectStatus("after a publish");
    await untilHealingPublish(store, acme, "keeper");
    await publish(store, acme, [buildWheel({ name: "keeper", version: "1.2" })]);
    await expectStatus("after a healing publish");
    await setYanked(store, acme, { project: "keeper", version: "1.0" }, "old");
    await expectStatus("after a yank");
    await reindex(store, acme);
    await expectStatus("after reindex");
    expect((await pages(store, "keeper")).json.versions).to.deep.equal(["1.0", "1.1", "1.2"]);
  });

  for (const status of ["archived", "quarantined"] as const) {
    it(`${status}: publishing is refused with the reason and how to reopen, nothing written`, async () => {
      const store = await fixture.newStore();
      await publish(store, acme, [buildWheel({ name: "closed", version: "1.0" })]);
      await setProjectStatus(store, acme, "closed", status, "see ticket 42");
      const before = await snapshot(store);
      const error = await publish(store, acme, [buildWheel({ name: "closed", version: "2.0" })]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(PublishError);
      expect((error as PublishError).results).to.deep.equal([
        {
          filename: "closed-2.0-py3-none-any.whl",
          project: "closed",
          version: "2.0",
          status: "refused",
          refusal: "invalid",
          reason:
            `closed is ${status} (see ticket 42) in acme/main, and an ${status} project accepts no new files ` +
            "(PEP 792); `status set --tenant acme closed active` reopens it",
        },
      ]);
      expect(await snapshot(store)).to.deep.equal(before);
    });
  }

  for (const status of ["archived", "quarantined"] as const) {
    it(`${status}: a re-upload of the same bytes is unchanged with nothing written; other bytes and new names are refused`, async () => {
      const store = await fixture.newStore();
      const listed = buildWheel({ name: "rerun", version: "1.0" });
      await publish(store, acme, [listed]);
      await setProjectStatus(store, acme, "rerun", status, "frozen");
      const before = await snapshot(store);
      const cases: { file: BuiltWheel; status: string; refusal?: string }[] = [
        { file: buildWheel({ name: "rerun", version: "1.0" }), status: "unchanged" },
        {
          file: buildWheel({ name: "rerun", version: "1.0", summary: "other bytes" }),
          status: "refused",
          refusal: "exists",
        },
        { file: buildWheel({ name: "rerun", version: "2.0" }), status: "refused", refusal: "invalid" },
      ];
      for (const { file, status: expected, refusal } of cases) {
        const results = await publish(store, acme, [file]).catch(
          (err: unknown) => (err as PublishError).results,
        );
        expect(
          results.map((r) => ({ status: r.status, refusal: r.refusal })),
          `${file.filename} (${expected})`,
        ).to.deep.equal([{ status: expected, refusal }]);
        expect(await snapshot(store), `${file.filename}: nothing written`).to.deep.equal(before);
      }
    });

    it(`${status}: a crashed publish's stored file re-run with the same bytes is unchanged and goes on the page, which keeps the status`, async () => {
      const store = await fixture.newStore();
      await publish(store, acme, [buildWheel({ name: "residue", version: "1.0" })]);
      const orphan = buildWheel({ name: "residue", version: "1.1" });
      await uploadDistribution(
        store,
        acme,
        inspectDistribution(orphan.filename, orphan.bytes),
        orphan.bytes,
        new Date(),
      );
      await setProjectStatus(store, acme, "residue", status, "frozen");
      const [result] = await publish(store, acme, [buildWheel({ name: "residue", version: "1.1" })]);
      expect(result.status).to.equal("unchanged");
      const page = (await readProject(store, acme, "residue"))!;
      expect(page.status).to.deep.equal({ status, reason: "frozen" });
      expect(page.files.map((f) => f.filename)).to.deep.equal([
        "residue-1.0-py3-none-any.whl",
        "residue-1.1-py3-none-any.whl",
      ]);
    });
  }

  it("quarantined: the pages offer no file and no version; active again offers them all", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [
      buildWheel({ name: "bad", version: "1.0" }),
      buildWheel({ name: "bad", version: "1.1" }),
    ]);
    await setProjectStatus(store, acme, "bad", "quarantined", "malware");
    const quarantined = await pages(store, "bad");
    expect(quarantined.json.files).to.deep.equal([]);
    expect(quarantined.json.versions).to.deep.equal([]);
    expect(quarantined.html).to.not.include("<a ");
    expect((await readProject(store, acme, "bad"))!.files).to.have.length(2);
    await setProjectStatus(store, acme, "bad", "active");
    const active = await pages(store, "bad");
    expect(active.json["project-status"]).to.deep.equal({ status: "active" });
    expect(active.json.files.map((f: { filename: string }) => f.filename)).to.deep.equal([
      "bad-1.0-py3-none-any.whl",
      "bad-1.1-py3-none-any.whl",
    ]);
  });

  it("a publish racing a status set keeps both: the status set lands between the publish's read and its page write", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [buildWheel({ name: "racy", version: "1.0" })]);
    const jsonKey = projectPageKey("acme", "main", "racy", "json");
    const racing = new IndexStore(fixture.s3, store.bucket);
    let jsonWrites = 0;
    let raced = false;
    const put = racing.put.bind(racing);
    racing.put = async (key, body, options, ifMatch) => {
      if (key.includes("/files/") && !raced) {
        raced = true; // the publish has read the page (active) and is uploading: the status lands now
        await setProjectStatus(store, acme, "racy", "archived", "frozen");
      }
      if (key === jsonKey) jsonWrites++;
      return put(key, body, options, ifMatch);
    };
    await publish(racing, acme, [buildWheel({ name: "racy", version: "2.0" })]);
    expect(jsonWrites, "the publish's first page write lost the race and was retried").to.equal(2);
    const page = (await readProject(store, acme, "racy"))!;
    expect(page.status).to.deep.equal({ status: "archived", reason: "frozen" });
    expect(page.files.map((f) => f.filename)).to.deep.equal([
      "racy-1.0-py3-none-any.whl",
      "racy-2.0-py3-none-any.whl",
    ]);
  });

  it("16 publishers and a status set at once lose nothing", async () => {
    const store = await fixture.newStore();
    await publish(store, acme, [buildWheel({ name: "crowd", version: "0.1" })]);
    await Promise.all([
      ...Array.from({ length: 16 }, (_, i) =>
        publish(store, acme, [buildWheel({ name: "crowd", version: `1.${i}` })]),
      ),
      setProjectStatus(store, acme, "crowd", "deprecated"),
    ]);
    const page = (await readProject(store, acme, "crowd"))!;
    expect(page.status).to.deep.equal({ status: "deprecated" });
    expect(page.files).to.have.length(17);
  });
});
