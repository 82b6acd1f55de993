/**
 * Names of the Pulumi Cloud teams whose tokens the workflows receive through the GitHub OIDC
 * exchange; shared by the delivery program and the workflow tests so the two cannot drift apart.
 */
import { DeployStack } from "../domain/delivery";

/** Read on every stack: enough for `pulumi preview`, not for starting a deployment. */
export const PREVIEW_TEAM = "ppi-preview";

/** Write on one stack only: may start that stack's deployments, nothing else. */
export function deployTeam(stack: DeployStack): string {
  return `ppi-deploy-${stack}`;
}
