/**
 * The permissions boundary of every role the deployer creates: the union of what the program's
 * service roles need, so a role the deployer makes can never do more than this, whatever policy
 * it gets. Today the only such role is the edge function's (read credentials, write its logs).
 */
import { PolicyDocument, policyDocument } from "./document";
import { StackScope, accountArns } from "./stackScope";

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
  ]);
}
