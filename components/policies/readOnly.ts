/**
 * What `pulumi preview --refresh` reads: the previewer's whole permission set, and the read half
 * of the deployer's. The reads of every resource type come from `DEPLOYER_ACCESS`; actions that
 * return data rather than configuration (S3 objects, table items, tokens) are in none of them.
 */
import { grantStatements } from "./deployer";
import { PolicyDocument, policyDocument } from "./document";
import { StackScope } from "./stackScope";

export function stackReadPolicy(scope: StackScope): PolicyDocument {
  return policyDocument(
    grantStatements(scope, [
      "ReadConfiguration",
      "ReadStackBuckets",
      "ReadStackFunctions",
      "ReadStackIdentity",
      "ReadStackTables",
      "ReadStackLogs",
    ]),
  );
}
