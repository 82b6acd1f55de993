/**
 * The adapter's signature checked by a server: moto_server with request authentication switched on
 * (`/moto-api/reset-auth`) recomputes every SigV4 signature with botocore and checks the session
 * token of an assumed role, as DynamoDB does for the Lambda role's temporary credentials.
 */
import { expect } from "chai";
import { createDynamoCredentialStore } from "../../edge/dynamoCredentialStore";
import { AwsCredentials, signJsonPost } from "../../edge/sigv4";
import { CredentialsOnMoto, startCredentialsOnMoto } from "../../fixtures/credentialsOnMoto";
import { makeKey } from "../../fixtures/edgeKeys";

const TABLE = "ppi-test-credentials";
const HOME = { tableRegion: "us-east-1", replicaRegions: [] };

/** One IAM/STS query-protocol call to moto (before authentication is on); the XML answer. */
async function awsQuery(aws: CredentialsOnMoto, service: string, params: Record<string, string>) {
  const body = new URLSearchParams(params).toString();
  const headers = signJsonPost(
    {
      host: new URL(aws.moto.endpoint).host,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    },
    aws.moto.clientConfig.credentials,
    { region: "us-east-1", service },
    new Date(),
  );
  const response = await fetch(`${aws.moto.endpoint}/`, { method: "POST", headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${params.Action} on moto: ${response.status} ${text}`);
  return text;
}

const xmlValue = (xml: string, tag: string) => {
  const value = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no <${tag}> in ${xml}`);
  return value;
};

/** Temporary credentials of a role that may read the table, as Lambda hands them to the function. */
async function assumeReaderRole(aws: CredentialsOnMoto): Promise<Required<AwsCredentials>> {
  const trust = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  };
  const read = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" }],
  };
  const role = await awsQuery(aws, "iam", {
    Action: "CreateRole",
    Version: "2010-05-08",
    RoleName: "ppi-test-edge",
    AssumeRolePolicyDocument: JSON.stringify(trust),
  });
  await awsQuery(aws, "iam", {
    Action: "PutRolePolicy",
    Version: "2010-05-08",
    RoleName: "ppi-test-edge",
    PolicyName: "read-credentials",
    PolicyDocument: JSON.stringify(read),
  });
  const assumed = await awsQuery(aws, "sts", {
    Action: "AssumeRole",
    Version: "2011-06-15",
    RoleArn: xmlValue(role, "Arn"),
    RoleSessionName: "edge",
  });
  return {
    accessKeyId: xmlValue(assumed, "AccessKeyId"),
    secretAccessKey: xmlValue(assumed, "SecretAccessKey"),
    sessionToken: xmlValue(assumed, "SessionToken"),
  };
}

describe("DynamoDB credential store on moto_server checking signatures @integration", () => {
  const key = makeKey();
  let aws: CredentialsOnMoto;
  let role: Required<AwsCredentials>;

  const useCredentials = (credentials: Required<AwsCredentials>) => {
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
  };
  const lookup = () => createDynamoCredentialStore(TABLE, HOME).get(key.publicKey);
  const failure = () =>
    lookup().then(
      () => new Error("expected the lookup to fail"),
      (e: Error) => e,
    );

  before(async () => {
    aws = await startCredentialsOnMoto(TABLE, [key.record]);
    role = await assumeReaderRole(aws);
    const auth = await fetch(`${aws.moto.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
    expect(auth.status).to.equal(200);
  });
  after(async () => aws?.stop());

  it("reads the record with the role's temporary credentials (signature and token accepted)", async () => {
    useCredentials(role);
    expect(await lookup()).to.deep.equal(key.record);
  });

  it("is refused with a wrong secret (the server really checks the signature)", async () => {
    useCredentials({ ...role, secretAccessKey: `${role.secretAccessKey.slice(0, -1)}x` });
    expect(await failure())
      .to.include({ name: "HttpError403" })
      .and.have.property("message")
      .that.includes("SignatureDoesNotMatch");
  });

  it("is refused with a wrong session token", async () => {
    useCredentials({ ...role, sessionToken: `${role.sessionToken}x` });
    expect(await failure())
      .to.include({ name: "HttpError403" })
      .and.have.property("message")
      .that.includes("InvalidClientTokenId");
  });
});
