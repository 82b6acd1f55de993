/**
 * Child process of `upload-cold-start.bench.ts`: one cold start of the upload function in a fresh
 * Node process, as a new Lambda container sees it. Loads the bundle text named by argv[2] (its
 * `require`s of the AWS SDK and the core's packages included), serves one upload of version
 * argv[4] with the key in argv[3] (the first GetItem and S3 writes against moto, new connections),
 * then a second upload of another version (warm). Prints JSON timings in ms.
 */
import * as fs from "fs";
import { loadEdgeBundle } from "../sandbox/edgeBundle";
import { buildWheel } from "../publishing/wheelBuilder";
import { functionUrlEvent } from "../fixtures/uploadEvents";
import { TEST_BOUNDARY, multipartBody, twineParts } from "../fixtures/uploadForms";
import type { FunctionUrlHandler } from "../upload/lambda";

function uploadEvent(authorization: string, version: string) {
  const body = multipartBody(twineParts(buildWheel({ name: "bench-cold", version })));
  return functionUrlEvent({
    headers: {
      "content-type": `multipart/form-data; boundary=${TEST_BOUNDARY}`,
      "x-ppi-authorization": authorization,
    },
    body,
  });
}

async function main(): Promise<void> {
  const [text, authorization, version] = [
    fs.readFileSync(process.argv[2], "utf8"),
    process.argv[3],
    process.argv[4],
  ];
  const first = uploadEvent(authorization, `${version}.0`);
  const second = uploadEvent(authorization, `${version}.1`);
  const t0 = performance.now();
  const handler = loadEdgeBundle<FunctionUrlHandler>(text);
  const t1 = performance.now();
  const cold = await handler(first);
  const t2 = performance.now();
  const warm = await handler(second);
  const t3 = performance.now();
  for (const result of [cold, warm]) {
    if (typeof result !== "object" || result.statusCode !== 200)
      throw new Error(`an upload was refused: ${JSON.stringify(result)}`);
  }
  console.log(JSON.stringify({ loadMs: t1 - t0, firstUploadMs: t2 - t1, warmUploadMs: t3 - t2 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
