/**
 * The esbuild options every function is bundled with (AppFunction passes them to NodejsFunction's
 * `bundling`; bench/cold-start.ts passes the same to esbuild's API), so the benchmark measures the
 * bundles that are deployed. Plain values: no aws-cdk-lib here.
 */
export const LAMBDA_BUNDLE = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  /** ESM bundles of CommonJS dependencies still call `require`; give them one. */
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;
