/**
 * Publishing cost against moto_server as the index grows (10, 1,000, 10,000 projects): S3 requests
 * and milliseconds per publish, for a new version of an existing project (the common case; target
 * ≤ 5 requests and ≤ 1.5× from 10 to 10,000 projects) and for a new project (which also updates
 * the root page). Then 16 concurrent publishers into one project: all must succeed; wall time.
 * The index is seeded cheaply with all a publish reads of other projects: the root page (both
 * formats) listing N projects. No request of a publish names another project's keys.
 */
import { PutObjectCommand, S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import {
  JSON_CONTENT_TYPE,
  HTML_CONTENT_TYPE,
  PAGE_CACHE_CONTROL,
  rootPageKey,
} from "../domain/storageLayout";
import { indexLocation } from "../publishing/indexLocation";
import { readProject } from "../publishing/pageWriter";
import { renderRootHtml, renderRootJson } from "../publishing/pages";
import { publish } from "../publishing/publish";
import { IndexStore } from "../publishing/indexStore";
import { buildWheel } from "../publishing/wheelBuilder";
import { createIndexBucket } from "../sandbox/resources";
import { startMoto } from "../sandbox/moto";

const SIZES = [10, 1_000, 10_000];
const SAMPLES = 25;
const location = indexLocation("bench");

interface Sample {
  ms: number[];
  requests: number[];
}

function countingClient(config: S3ClientConfig): { s3: S3Client; count: () => number } {
  const s3 = new S3Client(config);
  let requests = 0;
  // The deserialize step runs once per HTTP request (inside the retry loop).
  s3.middlewareStack.add((next) => (args) => (requests++, next(args)), {
    step: "deserialize",
    name: "requestCounter",
  });
  return { s3, count: () => requests };
}

/** The root page (both formats) listing `projects` seeded projects: all a publish could read of them. */
async function seed(s3: S3Client, bucket: string, projects: number): Promise<void> {
  const names = Array.from({ length: projects }, (_, i) => `seed-${i}`);
  const put = (key: string, body: string, contentType: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        CacheControl: PAGE_CACHE_CONTROL,
      }),
    );
  await put(
    rootPageKey(location.tenant, location.channel, "json"),
    renderRootJson({ projects: names }),
    JSON_CONTENT_TYPE,
  );
  await put(
    rootPageKey(location.tenant, location.channel, "html"),
    renderRootHtml({ projects: names }),
    HTML_CONTENT_TYPE,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(
  store: IndexStore,
  count: () => number,
  wheel: ReturnType<typeof buildWheel>,
  into: Sample,
) {
  const before = count();
  const started = performance.now();
  await publish(store, location, [wheel]);
  into.ms.push(performance.now() - started);
  into.requests.push(count() - before);
}

function summary(sample: Sample): string {
  return `${median(sample.ms).toFixed(1)} ms, ${Math.max(...sample.requests)} S3 requests`;
}

async function indexSizes(moto: Awaited<ReturnType<typeof startMoto>>): Promise<void> {
  const { s3, count } = countingClient(moto.clientConfig);
  const indexes: { size: number; store: IndexStore; existing: Sample; fresh: Sample }[] = [];
  for (const [i, size] of SIZES.entries()) {
    const bucket = `ppi-bench-index-${i}`;
    await createIndexBucket(s3, bucket);
    await seed(s3, bucket, size);
    const store = new IndexStore(s3, bucket);
    await publish(store, location, [buildWheel({ name: "target", version: "0.1" })]);
    indexes.push({ size, store, existing: { ms: [], requests: [] }, fresh: { ms: [], requests: [] } });
  }
  // Round-robin over the index sizes so that load on the machine affects every size alike.
  for (let n = 0; n < SAMPLES; n++) {
    for (const index of indexes) {
      await timed(index.store, count, buildWheel({ name: "target", version: `1.${n}` }), index.existing);
      await timed(index.store, count, buildWheel({ name: `fresh-${n}`, version: "1.0" }), index.fresh);
    }
  }
  for (const index of indexes) {
    console.log(
      `index of ${String(index.size).padStart(6)} projects: new version of a project ${summary(index.existing)}; ` +
        `new project ${summary(index.fresh)} (median ms and max requests of ${SAMPLES} publishes)`,
    );
  }
  const [first, last] = [indexes[0], indexes[indexes.length - 1]];
  const ratio = (pick: (i: (typeof indexes)[number]) => Sample) =>
    (median(pick(last).ms) / median(pick(first).ms)).toFixed(2);
  console.log(
    `ratio ${last.size} / ${first.size} projects: new version ${ratio((i) => i.existing)}x (target <= 1.5x with <= 5 requests), ` +
      `new project ${ratio((i) => i.fresh)}x`,
  );
  s3.destroy();
}

async function concurrentPublishers(moto: Awaited<ReturnType<typeof startMoto>>): Promise<void> {
  const { s3, count } = countingClient(moto.clientConfig);
  const bucket = "ppi-bench-concurrent";
  await createIndexBucket(s3, bucket);
  const wheels = Array.from({ length: 16 }, (_, v) => buildWheel({ name: "contended", version: `2.${v}` }));
  const started = performance.now();
  const results = await Promise.all(
    wheels.map((wheel) => publish(new IndexStore(s3, bucket), location, [wheel])),
  );
  const wallMs = performance.now() - started;
  const page = await readProject(new IndexStore(s3, bucket), location, "contended");
  const ok = results.flat().filter((r) => r.status === "published").length;
  console.log(
    `16 concurrent publishers into one new project: ${ok}/16 succeeded, ${page?.files.length ?? 0}/16 files on the page, ` +
      `wall ${wallMs.toFixed(0)} ms, ${count()} S3 requests in total`,
  );
  s3.destroy();
}

export async function run(): Promise<void> {
  const moto = await startMoto();
  try {
    await indexSizes(moto);
    await concurrentPublishers(moto);
  } finally {
    await moto.stop();
  }
}
