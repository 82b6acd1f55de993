/** The moto launcher lives in the sandbox (it is not test-only); tests import it from here. */
export { freePort, startMoto } from "../../sandbox/moto";
export type { MotoServer } from "../../sandbox/moto";
