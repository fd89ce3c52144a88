// Finds this project's Convex function modules the way the Convex CLI does, compiles them with
// esbuild, and answers "what is the function at this path?" for the dev server.
//
// Every file in devserver/ has two dots in its name: the Convex CLI skips such files when it
// collects entry points (convex/src/bundler/index.ts, `entryPoints`), so none of this is ever
// deployed as a Convex function, even if this folder is used as a functions directory.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const CONVEX_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The path under which --with-test-module serves devserver/test_module.dev.mjs.
export const TEST_MODULE_PATH = 'devserver_test';

// --internal-storage serves this file at mastra/storage instead of mastra/storage.ts: the same
// handler registered as an internal mutation, which a Mastra user deploys by copying it over
// convex/mastra/storage.ts. Its name has two dots, so neither the CLI nor discoverModules picks it
// up on its own.
export const STORAGE_MODULE_PATH = 'mastra/storage';
export const INTERNAL_STORAGE_SOURCE = path.join(CONVEX_DIR, 'variants', 'storage.internal.ts');

const ENTRY_POINT_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.jsx'];

// Mirrors the skip rules of the CLI's `entryPoints` (convex@1.49.0). One difference: the CLI
// would walk node_modules too (and fail to bundle it); here packages are never functions.
function isEntryPoint(relPath, absPath) {
  const base = path.basename(relPath);
  if (!ENTRY_POINT_EXTENSIONS.some((ext) => relPath.endsWith(ext))) return false;
  if (relPath.startsWith('_generated/') || relPath.startsWith('_deps/')) return false;
  if (base.startsWith('.') || base.startsWith('#')) return false;
  if (base === 'schema.ts' || base === 'schema.js') return false;
  if ((base.match(/\./g) ?? []).length > 1) return false;
  if (relPath.includes(' ')) return false;
  if (base.endsWith('.ts') || base.endsWith('.tsx')) {
    return /^\s{0,100}(import|export)/m.test(readFileSync(absPath, 'utf8'));
  }
  return true;
}

/** Module path ("mastra/storage") -> source file, for every function module in convex/. */
export function discoverModules(dir = CONVEX_DIR) {
  const found = {};
  const walk = (sub) => {
    const entries = readdirSync(path.join(dir, sub), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      const abs = path.join(dir, rel);
      if (entry.isDirectory()) {
        // A directory with convex.config.ts is a component; the CLI skips those as well.
        if (entry.name === 'node_modules' || existsSync(path.join(abs, 'convex.config.ts'))) continue;
        walk(rel);
      } else if (entry.isFile() && isEntryPoint(rel, abs)) {
        found[rel.replace(/\.[^./]+$/, '')] = abs;
      }
    }
  };
  walk('');
  return found;
}

/**
 * Compiles schema.ts and the function modules into a fresh directory under
 * convex/node_modules/.cache, so the compiled files' bare imports (`convex/server`,
 * `@mastra/convex/server`) resolve to the very packages convex-test uses.
 * Returns { schemaUrl, modules: {modulePath: fileUrl}, cleanup }.
 */
export async function buildFunctions({ exclude = [], withTestModule = false, internalStorage = false } = {}) {
  const sources = discoverModules();
  if (internalStorage) sources[STORAGE_MODULE_PATH] = INTERNAL_STORAGE_SOURCE;
  for (const modulePath of exclude) {
    if (!(modulePath in sources)) throw new Error(`--exclude-module ${modulePath}: no such module in ${CONVEX_DIR}`);
    delete sources[modulePath];
  }
  if (withTestModule) sources[TEST_MODULE_PATH] = path.join(CONVEX_DIR, 'devserver', 'test_module.dev.mjs');

  const cacheDir = path.join(CONVEX_DIR, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outdir = mkdtempSync(path.join(cacheDir, 'convex-dev-server-'));
  await esbuild.build({
    entryPoints: { schema: path.join(CONVEX_DIR, 'schema.ts'), ...sources },
    outdir,
    bundle: true, // inlines relative imports such as ./_generated/server
    packages: 'external',
    splitting: true,
    chunkNames: '_deps/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  const urlOf = (name) => pathToFileURL(path.join(outdir, `${name}.mjs`)).href;
  return {
    schemaUrl: urlOf('schema'),
    modules: Object.fromEntries(Object.keys(sources).map((name) => [name, urlOf(name)])),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * Parses a function path the way Convex's UdfPath does ("module:export", or "module" for the
 * default export, optional ".js"). Returns null when it cannot be parsed.
 * `stripped` is the form Convex prints in "Could not find ..." messages, `canonical` the form
 * it prints in "Trying to execute ..." messages.
 */
export function parseFunctionPath(raw) {
  if (typeof raw !== 'string') return null;
  const colon = raw.lastIndexOf(':');
  const modulePart = colon === -1 ? raw : raw.slice(0, colon);
  const exportName = colon === -1 ? 'default' : raw.slice(colon + 1);
  const modulePath = modulePart.replace(/\.js$/, '');
  const segmentsOk = modulePath.split('/').every((s) => /^[A-Za-z0-9_.-]+$/.test(s) && s !== '.' && s !== '..');
  if (!modulePath || !segmentsOk || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exportName)) return null;
  return {
    modulePath,
    exportName,
    stripped: exportName === 'default' ? modulePath : `${modulePath}:${exportName}`,
    canonical: `${modulePath}.js:${exportName}`,
  };
}

/**
 * The registered Convex function at a parsed path, or null (missing, not a function, HTTP action).
 * Visibility is decided as Convex's deploy-time analysis does (crates/isolate/src/environment/
 * analyze.rs, `udf_analyze`): by whether the export HAS an `isPublic` or an `isInternal` property,
 * not by their values; an export with both is skipped, so it is not a function at all. An export
 * with neither (npm packages before visibility existed) is refused to every non-admin caller.
 */
export async function lookupFunction(built, { modulePath, exportName }) {
  const url = built.modules[modulePath];
  if (!url) return null;
  const fn = (await import(url))[exportName];
  const kind = fn?.isQuery ? 'query' : fn?.isMutation ? 'mutation' : fn?.isAction ? 'action' : null;
  if (!kind) return null;
  const isPublic = 'isPublic' in fn;
  const isInternal = 'isInternal' in fn;
  if (isPublic && isInternal) return null;
  return { kind, isPublic };
}

/** The `modules` map convex-test wants; the `_generated` key only tells it where the root is. */
export function convexTestModules(built) {
  const modules = { '/convex/_generated/api.js': async () => ({}) };
  for (const [name, url] of Object.entries(built.modules)) modules[`/convex/${name}.js`] = () => import(url);
  return modules;
}
