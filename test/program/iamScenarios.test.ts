/**
 * What each role of the committed stacks can and cannot do, decided by iam-simulate on AWS's
 * authorization data with request contexts that carry only the keys AWS sets for each action.
 * Staging and prod share one account here (as in the stack files): the deployers are probed with
 * the other stack's real resources.
 */
import { expect } from "chai";
import { PolicyDocument } from "../../components/policies/document";
import { requestContext } from "../../policy-pack/iam/requestContext";
import { Decision, canAssumeWithWebIdentity, decide } from "../../policy-pack/iam/simulate";
import { ProgramRun, runProgram } from "../support/program";
import { ACCOUNT, declaredResources, rolePolicies, stackFacts, tableRequests } from "../support/iamRequests";

const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const roleArn = (stack: string, name: string) => `arn:aws:iam::${ACCOUNT}:role/ppi-${stack}-${name}`;

describe("program: IAM scenarios on iam-simulate", () => {
  const runs = new Map<string, ProgramRun>();
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) runs.set(stack, await runProgram(stack));
  });

  /** The decision for role `ppi-<stack>-<name>` (its policies and boundary, as the program declares them). */
  async function decision(
    stack: string,
    name: string,
    action: string,
    resource: string,
    facts: Partial<Parameters<typeof requestContext>[2]> = {},
  ): Promise<Decision> {
    const { recorder } = runs.get(stack)!;
    const role = recorder.ofType("aws:iam/role:Role").find((r) => r.inputs.name === `ppi-${stack}-${name}`)!;
    const boundaryArn: string | undefined = role.inputs.permissionsBoundary;
    const boundary = boundaryArn
      ? (JSON.parse(
          recorder.ofType("aws:iam/policy:Policy").find((p) => boundaryArn.endsWith(`/${p.inputs.name}`))!
            .inputs.policy,
        ) as PolicyDocument)
      : undefined;
    const context = await requestContext(action, resource, { region: "us-east-1", ...facts });
    return decide(
      { arn: roleArn(stack, name), policies: rolePolicies(recorder, role.inputs.name), boundary },
      { action, resource, context },
    );
  }

  describe("the edge function's role", () => {
    const table = (stack: string, region = "us-east-1") =>
      `arn:aws:dynamodb:${region}:${ACCOUNT}:table/ppi-${stack}-credentials`;
    const logGroup = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/us-east-1.ppi-prod-viewer-request`;

    it("reads its credentials table, at home and in the replica's region", async () => {
      expect(await decision("prod", "viewer-request", "dynamodb:GetItem", table("prod"))).to.equal("Allowed");
      expect(
        await decision("prod", "viewer-request", "dynamodb:GetItem", table("prod", "eu-west-1"), {
          region: "eu-west-1",
        }),
      ).to.equal("Allowed");
    });

    it("writes its logs", async () => {
      expect(await decision("prod", "viewer-request", "logs:CreateLogGroup", logGroup)).to.equal("Allowed");
      expect(
        await decision(
          "prod",
          "viewer-request",
          "logs:PutLogEvents",
          `${logGroup}:log-stream:2026/12/03/abc`,
        ),
      ).to.equal("Allowed");
    });

    for (const [action, resource] of [
      ["dynamodb:Scan", table("prod")],
      ["dynamodb:Query", table("prod")],
      ["dynamodb:PutItem", table("prod")],
      ["dynamodb:DeleteItem", table("prod")],
      ["dynamodb:GetItem", table("staging")],
      ["logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`],
      ["s3:GetObject", "arn:aws:s3:::ppi-prod-index-e2generated0id/acme/main/simple/index.html"],
      ["iam:PassRole", roleArn("prod", "deployer")],
    ]) {
      it(`may not ${action} on ${resource}`, async () => {
        expect(await decision("prod", "viewer-request", action, resource)).to.not.equal("Allowed");
      });
    }
  });

  describe("the origin-response (fall-through) function's role, inside its boundary", () => {
    const bucket = "arn:aws:s3:::ppi-prod-index-e2generated0id";
    const list = (prefix: string) =>
      decision("prod", "origin-response", "s3:ListBucket", bucket, { extra: { "s3:prefix": prefix } });

    it("reads a tenant's reserved names and tells whether a project's JSON page exists, on any channel", async () => {
      expect(
        await decision("prod", "origin-response", "s3:GetObject", `${bucket}/acme/reserved-names.json`),
      ).to.equal("Allowed");
      expect(await list("acme/reserved-names.json")).to.equal("Allowed");
      expect(await list("acme/main/simple/billing/index.json")).to.equal("Allowed");
      expect(await list("acme/feature-x/simple/billing/index.json")).to.equal("Allowed");
    });

    for (const [title, action, resource, prefix] of [
      ["read a page", "s3:GetObject", `${bucket}/acme/main/simple/billing/index.json`, undefined],
      ["read a file", "s3:GetObject", `${bucket}/acme/main/files/billing/billing-1.0.tar.gz`, undefined],
      ["write the reserved names", "s3:PutObject", `${bucket}/acme/reserved-names.json`, undefined],
      ["list a tenant's files", "s3:ListBucket", bucket, "acme/main/files/"],
      ["list everything", "s3:ListBucket", bucket, ""],
      [
        "read another stack's reserved names",
        "s3:GetObject",
        "arn:aws:s3:::ppi-staging-index-e2generated0id/acme/reserved-names.json",
        undefined,
      ],
    ] as const) {
      it(`may not ${title}`, async () => {
        const facts = prefix === undefined ? {} : { extra: { "s3:prefix": prefix } };
        expect(await decision("prod", "origin-response", action, resource, facts)).to.not.equal("Allowed");
      });
    }
  });

  describe("the upload function's role, inside its boundary", () => {
    const bucket = (stack: string) => `arn:aws:s3:::${runs.get(stack)!.outputs.bucketName}`;
    const object = (key: string, stack = "prod") => `${bucket(stack)}/${key}`;
    const wheel = (tenant: string) => object(`${tenant}/main/files/demo/demo-1.0-py3-none-any.whl`);
    const create = { extra: { "s3:if-none-match": "*" } };
    const tables = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
    const upload = (action: string, resource: string, facts: Parameters<typeof decision>[4] = {}) =>
      decision("prod", "upload", action, resource, { region: "eu-west-1", ...facts });

    it("creates a file under any tenant's prefix, writes its pages, reads and lists, looks keys up", async () => {
      for (const tenant of ["acme", "globex"]) {
        expect(await upload("s3:PutObject", wheel(tenant), create), tenant).to.equal("Allowed");
        expect(
          await upload("s3:PutObject", object(`${tenant}/main/simple/demo/index.json`)),
          tenant,
        ).to.equal("Allowed");
        expect(
          await upload("s3:GetObject", object(`${tenant}/main/simple/demo/index.html`)),
          tenant,
        ).to.equal("Allowed");
      }
      expect(
        await upload("s3:ListBucket", bucket("prod"), { extra: { "s3:prefix": "acme/main/files/demo/" } }),
      ).to.equal("Allowed");
      const table = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/ppi-prod-credentials`;
      expect(await upload("dynamodb:GetItem", table)).to.equal("Allowed");
    });

    const home = { region: "us-east-1" };
    const leading = (key: string) => ({ ...home, extra: { "dynamodb:LeadingKeys": [key] } });
    const homeTable = `${tables}/ppi-prod-credentials`;

    it("mints: reads a trusted publisher, writes a new key and a used-token record, at home and in its region's replica", async () => {
      const replicaTable = homeTable.replace(":us-east-1:", ":eu-west-1:");
      for (const key of ["ppi_abcdefgh", "used-oidc-token:9f86d081"])
        expect(
          await upload("dynamodb:PutItem", replicaTable, { extra: { "dynamodb:LeadingKeys": [key] } }),
          key,
        ).to.equal("Allowed");
      expect(await upload("dynamodb:GetItem", homeTable, leading("github-repository:4242"))).to.equal(
        "Allowed",
      );
      expect(await upload("dynamodb:PutItem", homeTable, leading("ppi_abcdefgh"))).to.equal("Allowed");
      expect(await upload("dynamodb:PutItem", homeTable, leading("used-oidc-token:9f86d081"))).to.equal(
        "Allowed",
      );
    });

    // Resources are functions: the program runs (and names the bucket) in `before`.
    for (const [title, action, resource, facts] of [
      ["overwrite a published file", "s3:PutObject", () => wheel("acme"), {}],
      ["delete an object", "s3:DeleteObject", () => wheel("acme"), {}],
      ["delete an object version", "s3:DeleteObjectVersion", () => wheel("acme"), {}],
      [
        "write another stack's bucket",
        "s3:PutObject",
        () => wheel("acme").replace("ppi-prod-", "ppi-staging-"),
        create,
      ],
      ["change the bucket policy", "s3:PutBucketPolicy", () => bucket("prod"), {}],
      ["write an item with no partition key in the request", "dynamodb:PutItem", () => homeTable, home],
      ["write a trusted publisher", "dynamodb:PutItem", () => homeTable, leading("github-repository:4242")],
      ["write any other item", "dynamodb:PutItem", () => homeTable, leading("tenant-settings")],
      ["update a key", "dynamodb:UpdateItem", () => homeTable, leading("ppi_abcdefgh")],
      ["delete a key", "dynamodb:DeleteItem", () => homeTable, leading("ppi_abcdefgh")],
      ["delete a used-token record", "dynamodb:DeleteItem", () => homeTable, leading("used-oidc-token:9f")],
      [
        "write a key in a region without a replica",
        "dynamodb:PutItem",
        () => homeTable.replace(":us-east-1:", ":eu-central-1:"),
        { region: "eu-central-1", extra: { "dynamodb:LeadingKeys": ["ppi_abcdefgh"] } },
      ],
      [
        "write a key in another stack's table",
        "dynamodb:PutItem",
        () => `${tables}/ppi-staging-credentials`,
        leading("ppi_abcdefgh"),
      ],
      [
        "write a key in another table",
        "dynamodb:PutItem",
        () => `${tables}/billing`,
        leading("ppi_abcdefgh"),
      ],
      ["read another stack's table", "dynamodb:GetItem", () => `${tables}/ppi-staging-credentials`, {}],
      ["read another table", "dynamodb:GetItem", () => `${tables}/billing`, {}],
      [
        "invoke functions",
        "lambda:InvokeFunction",
        () => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ppi-prod-upload`,
        {},
      ],
    ] as const) {
      it(`may not ${title}`, async () => {
        expect(await upload(action, resource(), facts)).to.not.equal("Allowed");
      });
    }
  });

  describe("the publisher", () => {
    const object = (key: string) => `arn:aws:s3:::${runs.get("dev")!.outputs.bucketName}/${key}`;
    const wheel = (tenant: string, channel: string) =>
      object(`${tenant}/${channel}/files/demo/demo-1.0-py3-none-any.whl`);
    const branchTag = {
      "s3:RequestObjectTag/ppi-channel-kind": "branch",
      "s3:RequestObjectTagKeys": ["ppi-channel-kind"],
    };

    const create = { extra: { "s3:if-none-match": "*" } };

    it("reads its tenant's objects and writes its pages, on main and on branch channels", async () => {
      for (const key of [
        object("acme/main/simple/demo/index.html"),
        object("acme/feature-x/simple/index.json"),
      ]) {
        expect(await decision("dev", "publisher", "s3:PutObject", key), key).to.equal("Allowed");
        expect(await decision("dev", "publisher", "s3:GetObject", key), key).to.equal("Allowed");
      }
    });

    it("creates files (If-None-Match: *) but can never overwrite a published one", async () => {
      for (const key of [
        wheel("acme", "main"),
        `${wheel("acme", "main")}.metadata`,
        wheel("acme", "feature-x"),
      ]) {
        expect(await decision("dev", "publisher", "s3:PutObject", key, create), key).to.equal("Allowed");
        expect(await decision("dev", "publisher", "s3:PutObject", key), key).to.not.equal("Allowed");
        const replace = { extra: { "s3:if-match": '"0123abcd"' } };
        expect(await decision("dev", "publisher", "s3:PutObject", key, replace), key).to.not.equal("Allowed");
      }
    });

    it("tags branch-channel objects for expiry, and nothing else", async () => {
      expect(
        await decision("dev", "publisher", "s3:PutObjectTagging", wheel("acme", "feature-x"), {
          extra: branchTag,
        }),
      ).to.equal("Allowed");
      const other = {
        "s3:RequestObjectTag/ppi-channel-kind": "keep",
        "s3:RequestObjectTagKeys": ["ppi-channel-kind"],
      };
      expect(
        await decision("dev", "publisher", "s3:PutObjectTagging", wheel("acme", "feature-x"), {
          extra: other,
        }),
      ).to.not.equal("Allowed");
    });

    it("never tags a release (main-channel) file, so the branch-expiry rule cannot delete it", async () => {
      expect(
        await decision("dev", "publisher", "s3:PutObjectTagging", wheel("acme", "main"), {
          extra: branchTag,
        }),
      ).to.equal("ExplicitlyDenied");
    });

    for (const [title, action, tenant] of [
      ["create another tenant's files", "s3:PutObject", "beta"],
      ["read another tenant's files", "s3:GetObject", "beta"],
      ["delete a file", "s3:DeleteObject", "acme"],
      ["delete a file version", "s3:DeleteObjectVersion", "acme"],
      ["change object ACLs", "s3:PutObjectAcl", "acme"],
    ]) {
      it(`may not ${title}`, async () => {
        expect(await decision("dev", "publisher", action, wheel(tenant, "main"), create)).to.not.equal(
          "Allowed",
        );
      });
    }

    it("lists only its tenant's prefix", async () => {
      const bucket = `arn:aws:s3:::${runs.get("dev")!.outputs.bucketName}`;
      expect(
        await decision("dev", "publisher", "s3:ListBucket", bucket, { extra: { "s3:prefix": "acme/main/" } }),
      ).to.equal("Allowed");
      expect(
        await decision("dev", "publisher", "s3:ListBucket", bucket, { extra: { "s3:prefix": "beta/" } }),
      ).to.not.equal("Allowed");
      expect(await decision("dev", "publisher", "s3:ListBucket", bucket)).to.not.equal("Allowed");
    });
  });

  describe("the previewer", () => {
    for (const [title, action, resource] of [
      [
        "read instance user data (ec2:Describe* used to include it)",
        "ec2:DescribeInstanceAttribute",
        `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0abc`,
      ],
      [
        "read a package file",
        "s3:GetObject",
        "arn:aws:s3:::ppi-prod-index-e2generated0id/acme/main/files/demo/demo-1.0.whl",
      ],
      [
        "read a credential row",
        "dynamodb:GetItem",
        `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ppi-prod-credentials`,
      ],
      [
        "get a CodeArtifact token",
        "codeartifact:GetAuthorizationToken",
        `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:domain/ppi-prod`,
      ],
      [
        "decrypt with the CodeArtifact key",
        "kms:Decrypt",
        `arn:aws:kms:eu-west-1:${ACCOUNT}:key/codeartifact-key`,
      ],
      [
        "change the distribution",
        "cloudfront:UpdateDistribution",
        `arn:aws:cloudfront::${ACCOUNT}:distribution/EINDEXCDN`,
      ],
    ]) {
      it(`may not ${title}`, async () => {
        expect(await decision("prod", "previewer", action, resource)).to.not.equal("Allowed");
      });
    }
  });

  describe("a deployer in the shared account", () => {
    /**
     * The other stack's resources, as that stack declares them, with generated ids of their own
     * (under mocks both stacks would get the same ids for same-named resources).
     */
    async function writesOnOther(other: string) {
      const { recorder } = runs.get(other)!;
      const facts = stackFacts(recorder, other);
      const resources = declaredResources(recorder).map((r) => ({
        ...r,
        outputs: {
          ...r.outputs,
          ...(typeof r.outputs.arn === "string" ? { arn: `${r.outputs.arn}${other.toUpperCase()}` } : {}),
        },
      }));
      const requests = (await Promise.all(resources.map((r) => tableRequests(r, facts)))).flat();
      // Changes to what exists: creating new objects is not confined by stack (CloudFront's policies
      // and OACs, service-linked roles), and an untagged part (a group's new rule) is authorized only
      // together with the tagged resource it belongs to.
      return requests.filter(
        ({ call }) =>
          call.phase !== "create" &&
          !call.untagged &&
          !("grantedBy" in call && call.grantedBy.startsWith("Read")),
      );
    }

    for (const [stack, other] of [
      ["prod", "staging"],
      ["staging", "prod"],
    ]) {
      it(`${stack} can change none of ${other}'s resources (distribution, cache/OAC/headers policies, key, table, bucket, certificate, web ACL, CodeArtifact, network)`, async () => {
        const { recorder } = runs.get(stack)!;
        const policies = rolePolicies(recorder, `ppi-${stack}-deployer`);
        const allowed: string[] = [];
        const requests = await writesOnOther(other);
        for (const { resource, request, resourcePolicy } of requests) {
          if (
            (await decide({ arn: roleArn(stack, "deployer"), policies }, request, resourcePolicy)) ===
            "Allowed"
          ) {
            allowed.push(`${resource}: ${request.action} on ${request.resource}`);
          }
        }
        // EC2 objects of the other stack carry its Stack tag; the CloudFront objects have other ARNs.
        expect(requests.map((r) => r.resource.split(" ")[0])).to.include.members([
          "aws:cloudfront/distribution:Distribution",
          "aws:cloudfront/cachePolicy:CachePolicy",
          "aws:cloudfront/originAccessControl:OriginAccessControl",
          "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
          "aws:kms/key:Key",
          "aws:dynamodb/table:Table",
          "aws:s3/bucket:Bucket",
          "aws:codeartifact/domain:Domain",
        ]);
        expect(allowed).to.deep.equal([]);
      });
    }

    it("roles it creates carry the boundary; without it, or with another, CreateRole is refused", async () => {
      const role = roleArn("prod", "new-function");
      const boundary = `arn:aws:iam::${ACCOUNT}:policy/ppi-prod-boundary`;
      const tags = { requestTags: { Stack: "prod" } };
      expect(
        await decision("prod", "deployer", "iam:CreateRole", role, {
          ...tags,
          extra: { "iam:PermissionsBoundary": boundary },
        }),
      ).to.equal("Allowed");
      expect(await decision("prod", "deployer", "iam:CreateRole", role, tags)).to.not.equal("Allowed");
      const admin = { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" };
      expect(
        await decision("prod", "deployer", "iam:CreateRole", role, { ...tags, extra: admin }),
      ).to.not.equal("Allowed");
      expect(
        await decision("prod", "deployer", "iam:CreateRole", roleArn("staging", "x"), {
          ...tags,
          extra: { "iam:PermissionsBoundary": boundary },
        }),
      ).to.not.equal("Allowed");
    });

    for (const [title, action, resource] of [
      ["rewrite its own trust", "iam:UpdateAssumeRolePolicy", roleArn("prod", "deployer")],
      ["attach a policy to its own role", "iam:AttachRolePolicy", roleArn("prod", "deployer")],
      [
        "hand the edge role to another account",
        "iam:UpdateAssumeRolePolicy",
        roleArn("prod", "viewer-request"),
      ],
      [
        "remove the edge role's boundary",
        "iam:DeleteRolePermissionsBoundary",
        roleArn("prod", "viewer-request"),
      ],
      ["change the boundary", "iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/ppi-prod-boundary`],
      ["change an OIDC provider", "iam:AddClientIDToOpenIDConnectProvider", GITHUB],
      ["delete an OIDC provider", "iam:DeleteOpenIDConnectProvider", PULUMI],
    ]) {
      it(`prod may not ${title}`, async () => {
        const extra = { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/ppi-prod-boundary` };
        expect(await decision("prod", "deployer", action, resource, { extra })).to.not.equal("Allowed");
      });
    }
  });

  describe("trust policies admit exactly the intended tokens", () => {
    const github = (stack: string, name: string, sub: string, aud = "sts.amazonaws.com") => {
      const trust = JSON.parse(
        runs
          .get(stack)!
          .recorder.ofType("aws:iam/role:Role")
          .find((r) => r.inputs.name === `ppi-${stack}-${name}`)!.inputs.assumeRolePolicy,
      ) as PolicyDocument;
      return canAssumeWithWebIdentity(trust, roleArn(stack, name), GITHUB, {
        "token.actions.githubusercontent.com:sub": sub,
        "token.actions.githubusercontent.com:aud": aud,
      });
    };
    const pulumi = (stack: string, sub: string, aud = "acme") => {
      const trust = JSON.parse(
        runs
          .get(stack)!
          .recorder.ofType("aws:iam/role:Role")
          .find((r) => r.inputs.name === `ppi-${stack}-deployer`)!.inputs.assumeRolePolicy,
      ) as PolicyDocument;
      return canAssumeWithWebIdentity(trust, roleArn(stack, "deployer"), PULUMI, {
        "api.pulumi.com/oidc:sub": sub,
        "api.pulumi.com/oidc:aud": aud,
      });
    };
    const deploy = (stack: string, operation: string, project = "python-package-index", org = "acme") =>
      `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;

    it("the prod deployer: Pulumi Deployments of prod (preview, update, refresh) only", async () => {
      for (const operation of ["preview", "update", "refresh"])
        expect(await pulumi("prod", deploy("prod", operation)), operation).to.equal(true);
      expect(await pulumi("prod", deploy("prod", "destroy"))).to.equal(false);
      expect(await pulumi("prod", deploy("staging", "update"))).to.equal(false);
      expect(await pulumi("prod", deploy("prod", "update", "other-project"))).to.equal(false);
      expect(await pulumi("prod", deploy("prod", "update", "python-package-index", "evil"), "evil")).to.equal(
        false,
      );
      expect(await pulumi("prod", deploy("prod", "update"), "other-org")).to.equal(false);
      expect(await github("prod", "deployer", "repo:acme/python-package-index:environment:prod")).to.equal(
        false,
      );
    });

    it("the prod publisher: the package repositories' prod environment only", async () => {
      expect(await github("prod", "publisher", "repo:acme/acme-utils:environment:prod")).to.equal(true);
      expect(await github("prod", "publisher", "repo:acme/acme-models:environment:prod")).to.equal(true);
      for (const sub of [
        "repo:acme/acme-utils:environment:staging",
        "repo:acme/acme-utils:pull_request",
        "repo:acme/acme-utils:ref:refs/heads/main",
        "repo:acme/acme-utils:ref:refs/tags/v1.0.0",
        "repo:acme/other-repo:environment:prod",
        "repo:fork-owner/acme-utils:environment:prod",
        "repo:acme/python-package-index:environment:prod",
      ]) {
        expect(await github("prod", "publisher", sub), sub).to.equal(false);
      }
      expect(
        await github("prod", "publisher", "repo:acme/acme-utils:environment:prod", "api://other"),
      ).to.equal(false);
    });

    it("the previewer: pull requests of the infrastructure repository only", async () => {
      expect(await github("staging", "previewer", "repo:acme/python-package-index:pull_request")).to.equal(
        true,
      );
      for (const sub of [
        "repo:fork-owner/python-package-index:pull_request",
        "repo:acme/acme-utils:pull_request",
        "repo:acme/python-package-index:ref:refs/heads/main",
        "repo:acme/python-package-index:environment:staging",
      ]) {
        expect(await github("staging", "previewer", sub), sub).to.equal(false);
      }
    });
  });
});
