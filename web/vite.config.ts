import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The consoles (issue 7): one static build (`web/dist`) served by `npm start` under `/console/` and
 * deployed by the CDK app to S3 + CloudFront. The API address and the sign-in mode come from
 * `config.json` next to `index.html` at run time, so the same build runs everywhere.
 * Preact through esbuild's automatic JSX runtime: no framework plugin needed.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  logLevel: 'warn',
});
