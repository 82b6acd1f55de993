/**
 * The permissions boundary of every role the deployer creates: the union of what the program's
 * service roles need, so a role the deployer makes can never do more than this, whatever policy
 * it gets: the viewer-request function's (read credentials, write its logs) and the
 * origin-response function's (read reserved names, tell whether a JSON page exists, write its logs)
 * and the upload function's (publish into any tenant's part of the index bucket, read credentials,
 * write trusted publishing's minted keys and used-token records).
 */
import { PolicyDocument, policyDocument } from "./document";
import { StackScope, accountArns } from "./stackScope";
import { fallThroughReadStatements, indexBucketsArn, indexBucketsName } from "./fallThroughRead";
import { mintTokenTableStatement, uploadBucketStatements } from "./upload";

export function serviceRoleBoundaryPolicy(
  scope: Pick<StackScope, "namePrefix" | "accountId">,
): PolicyDocument {
  const arns = accountArns(scope);
  return policyDocument([
    {
      Sid: "ReadCredentialsTables",
      Effect: "Allow",
      Action: "dynamodb:GetItem",
      Resource: arns.tables,
    },
    {
      Sid: "WriteFunctionLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: arns.logGroups,
    },
    ...fallThroughReadStatements(indexBucketsArn(scope.namePrefix)),
    mintTokenTableStatement(arns.tables),
    ...uploadBucketStatements(indexBucketsName(scope.namePrefix)),
  ]);
}
