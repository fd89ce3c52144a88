// Runs the Convex CLI (`convex deploy`, `convex dev`, `convex codegen`, ...) on this folder:
//
//   npm run convex -- deploy        # with CONVEX_DEPLOY_KEY set; the CLI needs Node >= 22
//
// Why not plain `npx convex deploy`: the CLI bundles every .js/.ts file under its functions
// directory and does not skip node_modules (convex/src/bundler/index.ts, walkDir/entryPoints), but
// npm installs node_modules inside this folder. So the CLI runs in a staging project laid out the
// way Convex expects: <stage>/convex/ is a copy of this folder without node_modules,
// <stage>/node_modules and <stage>/.env.local link back here. Whatever codegen writes to
// _generated/ is copied back. The two dots in this file's name keep the CLI from bundling it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const convexDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = path.join(convexDir, 'node_modules');
const cli = path.join(nodeModules, 'convex', 'bin', 'main.js');
if (!existsSync(cli)) {
  console.error('convex/node_modules is missing: run `npm ci` in convex/ first');
  process.exit(1);
}

const stage = mkdtempSync(path.join(os.tmpdir(), 'convex-cli-'));
let status = 1;
try {
  cpSync(convexDir, path.join(stage, 'convex'), {
    recursive: true,
    // Copies, not links: the CLI's directory walk ignores symlinked files.
    filter: (src) => src !== nodeModules && path.basename(src) !== '.env.local',
  });
  for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(convexDir, file), path.join(stage, file));
  symlinkSync(nodeModules, path.join(stage, 'node_modules'), 'dir');
  // `convex dev` records the chosen deployment in .env.local; keep it next to this folder.
  symlinkSync(path.join(convexDir, '.env.local'), path.join(stage, '.env.local'));

  status = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: stage, stdio: 'inherit' }).status ?? 1;

  const generated = path.join(stage, 'convex', '_generated');
  if (existsSync(generated)) cpSync(generated, path.join(convexDir, '_generated'), { recursive: true });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
process.exit(status);
