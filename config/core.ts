import { StackConfigReader } from "./schema";

export interface CoreConfig {
  /** Region of the bucket and every regional resource (edge resources are always us-east-1). */
  readonly region: string;
  /** Stateful resources refuse deletion; undefined leaves each component's default (off). */
  readonly protect: boolean | undefined;
}

export function readCoreConfig(reader: StackConfigReader): CoreConfig {
  return { region: reader.get("region"), protect: reader.get("protect") };
}
