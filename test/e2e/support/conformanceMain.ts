/**
 * `npm run conformance`: runs the client conformance scenarios (about a minute) and prints the
 * table as Markdown, the form `docs/clients.md` holds and the conformance test checks.
 */
import { observeConformance, renderConformance } from "./conformance";

observeConformance().then(
  (conformance) => console.log(renderConformance(conformance)),
  (err: unknown) => {
    console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
