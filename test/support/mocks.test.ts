/** The shared mocks must fail loudly and early: a test helper that hangs or passes vacuously hides bugs. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { expectRefusedBeforeRegistering, settle, setupMocks, valueOf } from "../mocks";

/** The rejection of `promise`, or a failure when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

describe("test/mocks.ts", () => {
  describe("valueOf", () => {
    it("resolves a plain value, an output and a resource's computed output", async () => {
      await setupMocks();
      const bucket = new aws.s3.Bucket("b", { bucketPrefix: "x-" });
      expect(await valueOf(3)).to.equal(3);
      expect(await valueOf(pulumi.output("a").apply((v) => `${v}b`))).to.equal("ab");
      expect(await valueOf(bucket.bucketPrefix)).to.equal("x-");
      // A prefixed bucket is named as S3 names it: the prefix and a generated suffix.
      expect(await valueOf(bucket.arn)).to.equal("arn:aws:s3:::x-20260101000000000000000001");
    });

    it("fails with the cause when an apply throws", async () => {
      await setupMocks();
      const failing = pulumi.output("x").apply((): string => {
        throw new Error("scope cannot be derived");
      });
      const error = await rejectionOf(valueOf(failing, "the deployer policy"));
      expect(error.message).to.equal("valueOf: the deployer policy failed: scope cannot be derived");
    });

    it("fails with the cause when an invoke is not mocked", async () => {
      await setupMocks();
      const error = await rejectionOf(valueOf(aws.getCallerIdentityOutput({})));
      expect(error.message).to.match(
        /^valueOf: the output failed: .*unmocked invoke aws:index\/getCallerIdentity/,
      );
    });

    it("fails, saying why, instead of waiting for an output that never resolves", async () => {
      await setupMocks();
      const error = await rejectionOf(valueOf(pulumi.output(pulumi.unknown), "the URL", 200));
      expect(error.message).to.equal(
        "valueOf: the URL did not resolve within 200 ms: it is unknown (pulumi.unknown, or a computed property " +
          "test/mocks.ts does not return) or waits on something that never settles.",
      );
    });
  });

  describe("expectRefusedBeforeRegistering", () => {
    it("passes for an exact message with nothing registered", async () => {
      await expectRefusedBeforeRegistering(() => {
        throw new Error("X x: namePrefix is bad.");
      }, "X x: namePrefix is bad.");
    });

    it("fails when something was registered before the throw", async () => {
      const error = await rejectionOf(
        expectRefusedBeforeRegistering(() => {
          new aws.s3.Bucket("too-early", {});
          throw new Error("late");
        }, "late"),
      );
      expect(error.message).to.contain("registered before the refusal");
      expect(error.message).to.contain("aws:s3/bucket:Bucket too-early");
      await settle();
    });

    it("fails when nothing is thrown, or another message", async () => {
      expect((await rejectionOf(expectRefusedBeforeRegistering(() => undefined, "boom"))).message).to.equal(
        "expected a refusal, but nothing was thrown",
      );
      const other = await rejectionOf(
        expectRefusedBeforeRegistering(() => {
          throw new Error("bang");
        }, "boom"),
      );
      expect(other.message).to.contain("expected 'bang' to equal 'boom'");
    });
  });

  it("records protect, retainOnDelete and the parent of each resource", async () => {
    const recorder = await setupMocks();
    class Holder extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Holder", name, {}, opts);
        new aws.s3.Bucket(`${name}-kept`, {}, { parent: this, retainOnDelete: true });
        new aws.s3.Bucket(`${name}-inherits`, {}, { parent: this });
        this.registerOutputs({});
      }
    }
    new Holder("h", { protect: true });
    await settle();
    const kept = recorder.named("aws:s3/bucket:Bucket", "h-kept");
    const inherits = recorder.named("aws:s3/bucket:Bucket", "h-inherits");
    expect([kept.protect, kept.retainOnDelete, kept.parent]).to.deep.equal([
      true,
      true,
      "test:index:Holder::h",
    ]);
    expect([inherits.protect, inherits.retainOnDelete]).to.deep.equal([true, false]);
    expect(recorder.named("test:index:Holder", "h").parent).to.equal(undefined);
  });
});
