// Lists what the pinned @mastra/libsql (in convex/node_modules) puts in a mastra.db and which
// storage-domain methods it offers, for the drift check (tests/contract/test_mastra_drift.py).
//
//   node tests/node/mastra_inventory.mjs <file.db>
//
// Runs LibSQLStore.init() on a fresh file (the tables every Mastra app gets), then prints
// {tables: [...], domains: {memory: [...], workflows: [...], scores: [...], ...}} where each domain
// lists the public methods of the store's domain object. Errors: stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { LibSQLStore } = await load('@mastra/libsql');
const { createClient } = await load('@libsql/client');

const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = console.error;

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: mastra_inventory.mjs <file.db>');
  process.exit(2);
}
const url = `file:${path.resolve(file)}`;
const store = new LibSQLStore({ id: 'inventory', url });
await store.init();

const client = createClient({ url });
const rows = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
const tables = rows.rows.map((r) => String(r.name));

function methods(obj) {
  const names = new Set();
  for (let proto = Object.getPrototypeOf(obj); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      if (typeof obj[name] === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

const domains = {};
for (const name of ['memory', 'workflows', 'scores', 'schedules', 'backgroundTasks', 'channels']) {
  const domain = await store.getStore(name);
  if (domain) domains[name] = methods(domain);
}
out(JSON.stringify({ tables, domains }));
