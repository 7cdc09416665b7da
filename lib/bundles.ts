/**
 * Every function's bundle, built by one esbuild run for all of them: NodejsFunction spawns
 * esbuild once per function, which made a synth of the API stack ~20 s of CPU; one run with
 * every entry point shares the parsing of what they have in common and takes a third of that.
 * Minified ESM for Node 24 (what the tests and the local runtime run on too), the AWS SDK
 * bundled (it initialises faster than the runtime's copy), source maps without sources, and
 * each function's declared files copied next to its bundle. The bench builds them the same way.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { functions, type FunctionName, type LambdaFunction } from '#lambdas/routes.ts';
import { buildWebApp } from '../web/build.ts';

const projectRoot = resolve(import.meta.dirname, '..');

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  outExtension: { '.js': '.mjs' },
  // Some CommonJS dependencies call require(); ESM bundles need it defined.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'error',
} as const satisfies BuildOptions;

const entryOf = (name: FunctionName) => resolve(projectRoot, 'lambdas', 'handlers', `${name}.ts`);

/** `swagger-ui-dist/x.js` is copied to `<bundle>/swagger-ui/x.js` (the package name without its suffix). */
function copyBundleFiles(files: readonly string[], bundleDir: string): void {
  for (const file of files) {
    const [pkg, ...rest] = file.split('/');
    const folder = join(bundleDir, pkg!.replace(/-dist$/, ''));
    mkdirSync(folder, { recursive: true });
    cpSync(resolve(projectRoot, 'node_modules', file), join(folder, ...rest));
  }
}

/** Builds `names` into `outDir/<name>/index.mjs` (with its map and files); returns each function's folder. */
export function buildBundles(outDir: string, names: readonly FunctionName[]): Record<string, string> {
  buildSync({
    ...BUNDLE_OPTIONS,
    absWorkingDir: projectRoot,
    entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, entryOf(name)])),
    outdir: outDir,
  });
  const folders: Record<string, string> = {};
  for (const name of names) {
    folders[name] = join(outDir, name);
    copyBundleFiles((functions[name] as LambdaFunction).bundleFiles ?? [], folders[name]);
  }
  return folders;
}

let built: Record<string, string> | undefined;

/** Every function's bundle folder, built once per process (a synth asks for each function's in turn). */
export function bundleFolder(name: FunctionName): string {
  if (!built) {
    const outDir = mkdtempSync(join(tmpdir(), 'order-chat-bundles-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    built = buildBundles(outDir, Object.keys(functions) as FunctionName[]);
  }
  return built[name]!;
}

let placeholder: string | undefined;

/** What a function ships when its stack is synthesized without bundling (`aws:cdk:bundling-stacks`). */
export function placeholderFolder(): string {
  if (!placeholder) {
    placeholder = mkdtempSync(join(tmpdir(), 'order-chat-unbundled-'));
    process.once('exit', () => rmSync(placeholder!, { recursive: true, force: true }));
    writeFileSync(
      join(placeholder, 'index.mjs'),
      "export const handler = () => { throw new Error('synthesized without bundling'); };\n",
    );
  }
  return placeholder;
}

let webApp: string | undefined;

/** The web app's files (web/build.ts), written once per process for the stack's deployment of them. */
export function webAppFolder(): string {
  if (!webApp) {
    webApp = mkdtempSync(join(tmpdir(), 'order-chat-web-'));
    process.once('exit', () => rmSync(webApp!, { recursive: true, force: true }));
    for (const [name, file] of buildWebApp()) writeFileSync(join(webApp, name), file.contents);
  }
  return webApp;
}
