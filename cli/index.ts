/**
 * The CLI as a library, for in-process use (the sandbox seeds its demo tenant with these; the
 * tests drive them directly). `npm run cli` is a thin layer over the same functions.
 */
export { CliError } from "./errors";
export { check, CheckResult } from "./check";
export { clientConfiguration, channelIndexUrl } from "./clientConfig";
export { inspectDistribution, Distribution } from "./distribution";
export {
  createKey,
  listKeys,
  revokeKey,
  rotateKey,
  parseDuration,
  KeysContext,
  KeySummary,
  CreatedKey,
} from "./keys";
export { indexLocation, IndexLocation } from "./location";
export { publish, PublishError, PublishInput, PublishResult } from "./publish";
export { reindex, ReindexResult } from "./reindex";
export { IndexStore } from "./store";
export { resolveTarget, s3Client, dynamoClient, Target } from "./target";
export { buildWheel, parseWheelFilename, BuiltWheel, WheelSpec } from "./wheel";
export { parseSdistFilename } from "./sdist";
export { listIndex, removeVersion, setYanked } from "./yank";
