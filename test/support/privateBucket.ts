import { expect } from "chai";
import { RecordedResource, ResourceRecorder } from "../mocks";

/** The settings resource of `type` that configures `bucket` (by the id it references). */
export function settingOf(
  recorder: ResourceRecorder,
  type: string,
  bucket: RecordedResource,
): RecordedResource {
  const matches = recorder.ofType(type).filter((r) => r.inputs.bucket === bucket.id);
  expect(matches, `one ${type} for ${bucket.name}`).to.have.length(1);
  return matches[0];
}

/**
 * What makes a bucket private, whatever it holds: all four public-access blocks, SSE by default,
 * never force-destroyed, and a bucket policy that denies plain HTTP to everyone.
 */
export function expectPrivateBucket(recorder: ResourceRecorder, bucket: RecordedResource): void {
  expect(bucket.inputs.forceDestroy, `${bucket.name} forceDestroy`).to.equal(false);
  const blocks = settingOf(recorder, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket).inputs;
  for (const block of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
    expect(blocks[block], `${bucket.name} ${block}`).to.equal(true);
  const encryption = settingOf(
    recorder,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucket,
  ).inputs;
  const algorithms = encryption.rules.map(
    (r: { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }) =>
      r.applyServerSideEncryptionByDefault.sseAlgorithm,
  );
  expect(algorithms, `${bucket.name} encryption`).to.deep.equal(["AES256"]);
  const policy = JSON.parse(settingOf(recorder, "aws:s3/bucketPolicy:BucketPolicy", bucket).inputs.policy);
  // Whoever asks, for any action on the bucket or an object, over plain HTTP: denied.
  const plainHttp = policy.Statement.filter(
    (s: { Condition?: { Bool?: Record<string, string> } }) =>
      s.Condition?.Bool?.["aws:SecureTransport"] === "false",
  );
  expect(plainHttp, `${bucket.name} policy denies plain HTTP`).to.have.length(1);
  expect([plainHttp[0].Effect, plainHttp[0].Principal, plainHttp[0].Action]).to.deep.equal([
    "Deny",
    "*",
    "s3:*",
  ]);
  expect(plainHttp[0].Resource).to.have.members([bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
  const publicAllows = policy.Statement.filter(
    (s: { Effect: string; Principal: unknown }) =>
      s.Effect === "Allow" && JSON.stringify(s.Principal).includes('"*"'),
  );
  expect(publicAllows, `${bucket.name} policy allows no one-and-all`).to.deep.equal([]);
}
