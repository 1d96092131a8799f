// `npm run build`: dist/ from scratch. tsc writes the ES modules and their types (dist/, for
// `import`); esbuild bundles CommonJS for `require` (dist/cjs/, with the types copied next to it)
// and, for pages, one ES module (dist/browser/nanomitter.js) and one script defining the global
// `nanomitter` (dist/browser/nanomitter.iife.js).
//
// Owns: the build's steps and dist/'s layout. Must not touch src/. Node-only modules (`ws`,
// `node:*`) stay outside every bundle: the code loads them only when it runs on Node.js.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });

mkdirSync('dist/cjs');
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
for (const name of readdirSync('dist')) if (name.endsWith('.d.ts')) copyFileSync(`dist/${name}`, `dist/cjs/${name}`);

const shared = {
  entryPoints: ['src/index.ts'],
  bundle: true,
  sourcemap: true,
  target: 'es2022',
  external: ['ws', 'node:*'],
  logLevel: 'warning',
};
await Promise.all([
  build({ ...shared, platform: 'node', format: 'cjs', outfile: 'dist/cjs/index.js' }),
  build({ ...shared, platform: 'browser', format: 'esm', minify: true, outfile: 'dist/browser/nanomitter.js' }),
  build({ ...shared, platform: 'browser', format: 'iife', globalName: 'nanomitter', minify: true, outfile: 'dist/browser/nanomitter.iife.js' }),
]);
