/**
 * Child process of `edge.bench.ts`: one cold start in a fresh Node process, as a new Lambda
 * container sees it. Loads the bundle text named by argv[2], serves one request with the key in
 * argv[3] (the first lookup against moto: the signed GetItem and its connection), then one more
 * with an unknown key (a warm lookup: the loopback round trip alone). Prints JSON timings in ms.
 * The process's environment points the bundle's DynamoDB adapter at moto.
 */
import * as fs from "fs";
import { loadEdgeBundle } from "../sandbox/edgeBundle";
import { viewerRequestEvent } from "../fixtures/cloudfrontEvents";

async function main(): Promise<void> {
  const [text, authorization, unknownAuthorization] = [
    fs.readFileSync(process.argv[2], "utf8"),
    process.argv[3],
    process.argv[4],
  ];
  const event = (auth: string) => viewerRequestEvent({ uri: "/simple/", headers: { Authorization: auth } });
  const t0 = performance.now();
  const handler = loadEdgeBundle(text);
  const t1 = performance.now();
  const first = await handler(event(authorization));
  const t2 = performance.now();
  await handler(event(unknownAuthorization));
  const t3 = performance.now();
  if (!first || "status" in first)
    throw new Error(`the cold request was not forwarded: ${JSON.stringify(first)}`);
  console.log(JSON.stringify({ loadMs: t1 - t0, firstRequestMs: t2 - t1, warmLookupMs: t3 - t2 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
