/**
 * The edge bundle outside AWS: `serializeEdgeBundle` produces the `__index.js` text exactly as
 * `aws.lambda.CallbackFunction` does for the EdgeFunction component (same factory, same
 * `serializeFunction` options as `@pulumi/aws/lambda/lambdaMixins.js`), and `loadEdgeBundle`
 * runs that text as the Lambda runtime would: a CommonJS module whose `require` finds Node
 * builtins and the AWS SDK v3 (here from this project's node_modules), exporting `handler`.
 */
import Module from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT } from "../build/stamp";
import type {
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResponseEvent,
  CloudFrontResponseResult,
} from "aws-lambda";
import {
  ViewerRequestConfig,
  assertValidViewerRequestConfig,
  viewerRequestHandlerFactory,
} from "../edge/handler";
import {
  OriginResponseConfig,
  assertValidOriginResponseConfig,
  originResponseHandlerFactory,
} from "../edge/originResponse";

/** The archive entry and export the CallbackFunction uses: handler `__index.handler`. */
export const BUNDLE_FILE_NAME = "__index.js";
export const BUNDLE_EXPORT_NAME = "handler";

export type ViewerRequestHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;
export type OriginResponseHandler = (event: CloudFrontResponseEvent) => Promise<CloudFrontResponseResult>;

/** The `__index.js` text the EdgeFunction would deploy for this config. */
export async function serializeEdgeBundle(config: ViewerRequestConfig): Promise<string> {
  assertValidViewerRequestConfig(config, "serializeEdgeBundle");
  return serializeFactory(viewerRequestHandlerFactory(config));
}

/** The `__index.js` text of the origin-response (fall-through) EdgeFunction for this config. */
export async function serializeOriginResponseBundle(config: OriginResponseConfig): Promise<string> {
  assertValidOriginResponseConfig(config, "serializeOriginResponseBundle");
  return serializeFactory(originResponseHandlerFactory(config));
}

/** The `__index.js` text CallbackFunction would ship for a handler factory (the options of lambdaMixins.js). */
export async function serializeFactory(factory: () => unknown): Promise<string> {
  const closure = await pulumi.runtime.serializeFunction(factory, {
    serialize: () => true,
    exportName: BUNDLE_EXPORT_NAME,
    isFactoryFunction: true,
    allowSecrets: true,
  });
  return closure.text;
}

/** The parts of Node's CommonJS loader that compile a module from text (not in its public typings). */
interface CommonJsModuleClass {
  new (id: string): {
    filename: string;
    paths: string[];
    exports: Record<string, unknown>;
    _compile(text: string, filename: string): void;
  };
  _nodeModulePaths(directory: string): string[];
}

/**
 * Executes bundle text as a CommonJS module and returns its handler. The module's file name is
 * placed at the project root so its `require` resolves `@aws-sdk/*` from the project's
 * node_modules, as `/var/runtime/node_modules` serves it in Lambda.
 */
export function loadEdgeBundle<H = ViewerRequestHandler>(text: string): H {
  const filename = path.join(PROJECT_ROOT, BUNDLE_FILE_NAME);
  const bundle = new (Module as unknown as CommonJsModuleClass)(filename);
  bundle.filename = filename;
  bundle.paths = (Module as unknown as CommonJsModuleClass)._nodeModulePaths(path.dirname(filename));
  bundle._compile(text, filename);
  const handler = bundle.exports[BUNDLE_EXPORT_NAME];
  if (typeof handler !== "function") {
    throw new Error(`the edge bundle does not export a ${BUNDLE_EXPORT_NAME} function`);
  }
  return handler as H;
}
