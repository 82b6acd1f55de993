/**
 * The S3 requests of one publish, counted on the wire against moto: a new version into an
 * existing project costs five (read the page, the file, its .metadata, the JSON page with
 * If-Match, the HTML page with If-Match on its predicted ETag); the page's healing generations
 * add the listing; an HTML page not at the previous generation costs its head.
 */
import { expect } from "chai";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { indexLocation } from "../../publishing/indexLocation";
import { readProject } from "../../publishing/pageWriter";
import { HEAL_EVERY_GENERATIONS, publish } from "../../publishing/publish";
import { IndexStore } from "../../publishing/indexStore";
import { buildWheel } from "../../publishing/wheelBuilder";
import { MotoIndex, startMotoIndex } from "../../fixtures/motoIndex";

const acme = indexLocation("acme");
const PAGE = "acme/main/simple/tool/index";
const FILES = "acme/main/files/tool";

/** An S3 client on the fixture's server that records `Command key [condition] -> status` per request. */
function recordingClient(fixture: MotoIndex): { s3: S3Client; log: string[] } {
  const log: string[] = [];
  const s3 = new S3Client(fixture.moto.clientConfig);
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string; IfMatch?: string; IfNoneMatch?: string };
      const condition = input.IfMatch ? " If-Match" : input.IfNoneMatch ? " If-None-Match" : "";
      const line = `${String(context.commandName).replace(/Command$/, "")} ${input.Key ?? input.Prefix}${condition}`;
      try {
        const out = await next(args);
        log.push(`${line} -> ${(out.response as { statusCode?: number }).statusCode}`);
        return out;
      } catch (err) {
        log.push(
          `${line} -> ${(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`,
        );
        throw err;
      }
    },
    { step: "finalizeRequest", name: "recordRequests" },
  );
  return { s3, log };
}

describe("publishing: S3 requests per publish @integration", () => {
  let fixture: MotoIndex;
  before(async () => {
    fixture = await startMotoIndex();
  });
  after(async () => fixture?.stop());

  it("a new version into an existing project: five requests, in this order", async () => {
    const { bucket } = await fixture.newStore();
    const { s3, log } = recordingClient(fixture);
    const store = new IndexStore(s3, bucket);
    await publish(store, acme, [buildWheel({ name: "tool", version: "1.0" })]);
    log.length = 0;
    await publish(store, acme, [buildWheel({ name: "tool", version: "2.0" })]);
    expect(log).to.deep.equal([
      `GetObject ${PAGE}.json -> 200`,
      `PutObject ${FILES}/tool-2.0-py3-none-any.whl If-None-Match -> 200`,
      `PutObject ${FILES}/tool-2.0-py3-none-any.whl.metadata If-None-Match -> 200`,
      `PutObject ${PAGE}.json If-Match -> 200`,
      `PutObject ${PAGE}.html If-Match -> 200`,
    ]);
    const html = (await store.get(`${PAGE}.html`))!;
    expect(html.metadata).to.deep.equal({ "ppi-generation": "2" });
    expect(html.body.toString("utf8")).to.contain('<meta name="ppi-generation" content="2">');
    s3.destroy();
  });

  it(`every ${HEAL_EVERY_GENERATIONS}th generation of the page, the publish lists the project's files and heals`, async () => {
    const { bucket } = await fixture.newStore();
    const { s3, log } = recordingClient(fixture);
    const store = new IndexStore(s3, bucket);
    // Generation 1 (a new page, which lists too), then up to the one before a healing generation.
    for (let minor = 1; minor < HEAL_EVERY_GENERATIONS; minor++)
      await publish(store, acme, [buildWheel({ name: "tool", version: `1.${minor}` })]);
    // What a crashed publish leaves: a stored file no page shows.
    const orphan = buildWheel({ name: "tool", version: "0.9" });
    await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${FILES}/${orphan.filename}`, Body: orphan.bytes }),
    );
    log.length = 0;
    await publish(store, acme, [buildWheel({ name: "tool", version: "2.0" })]);
    expect(log).to.deep.equal([
      `GetObject ${PAGE}.json -> 200`,
      `PutObject ${FILES}/tool-2.0-py3-none-any.whl If-None-Match -> 200`,
      `PutObject ${FILES}/tool-2.0-py3-none-any.whl.metadata If-None-Match -> 200`,
      `ListObjectsV2 ${FILES}/ -> 200`,
      // The orphan has no user metadata: it is read and its .metadata written.
      `HeadObject ${FILES}/${orphan.filename} -> 200`,
      `GetObject ${FILES}/${orphan.filename} -> 200`,
      `PutObject ${FILES}/${orphan.filename}.metadata If-None-Match -> 200`,
      `PutObject ${PAGE}.json If-Match -> 200`,
      `PutObject ${PAGE}.html If-Match -> 200`,
    ]);
    expect((await readProject(store, acme, "tool"))!.files.map((f) => f.filename)).to.include(
      orphan.filename,
    );
    s3.destroy();
  });

  it("an HTML page not at the previous generation: the guessed write fails and its head decides", async () => {
    const { bucket } = await fixture.newStore();
    const { s3, log } = recordingClient(fixture);
    const store = new IndexStore(s3, bucket);
    await publish(store, acme, [buildWheel({ name: "tool", version: "1.0" })]);
    // An HTML page from before generations were in its bytes (same generation in its metadata).
    await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${PAGE}.html`,
        Body: "<html></html>",
        Metadata: { "ppi-generation": "1" },
      }),
    );
    log.length = 0;
    await publish(store, acme, [buildWheel({ name: "tool", version: "2.0" })]);
    expect(log.slice(3)).to.deep.equal([
      `PutObject ${PAGE}.json If-Match -> 200`,
      `PutObject ${PAGE}.html If-Match -> 412`,
      `HeadObject ${PAGE}.html -> 200`,
      `PutObject ${PAGE}.html If-Match -> 200`,
    ]);
    expect((await store.get(`${PAGE}.html`))!.body.toString("utf8")).to.contain("tool-2.0-py3-none-any.whl");
    s3.destroy();
  });

  it("an HTML page that is missing (a crash between the JSON and HTML writes): the guessed write's 404 is a conflict and the page is created", async () => {
    const { bucket } = await fixture.newStore();
    const { s3, log } = recordingClient(fixture);
    const store = new IndexStore(s3, bucket);
    await publish(store, acme, [buildWheel({ name: "tool", version: "1.0" })]);
    await fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${PAGE}.html` }));
    log.length = 0;
    await publish(store, acme, [buildWheel({ name: "tool", version: "2.0" })]);
    expect(log.slice(3)).to.deep.equal([
      `PutObject ${PAGE}.json If-Match -> 200`,
      `PutObject ${PAGE}.html If-Match -> 404`,
      `HeadObject ${PAGE}.html -> 404`,
      `PutObject ${PAGE}.html If-None-Match -> 200`,
    ]);
    const html = (await store.get(`${PAGE}.html`))!;
    expect(html.metadata).to.deep.equal({ "ppi-generation": "2" });
    expect(html.body.toString("utf8")).to.contain("tool-1.0-py3-none-any.whl");
    expect(html.body.toString("utf8")).to.contain("tool-2.0-py3-none-any.whl");
    s3.destroy();
  });
});
