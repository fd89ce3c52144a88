// Turns JSON / JSON5 texts into SQLite JSONB bytes with the SQLite engine that @mastra/libsql
// bundles (the same jsonb() Mastra writes with), for the Python JSONB decoder tests.
//
// stdin: a JSON array of strings. stdout: a JSON array of {text, hex, json}, where `hex` is
// hex(jsonb(text)) and `json` is json(jsonb(text)), SQLite's own reading of those bytes.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const { createClient } = await import(require.resolve('@libsql/client'));

let input = '';
for await (const chunk of process.stdin) input += chunk;
const texts = JSON.parse(input);

const client = createClient({ url: ':memory:' });
const version = (await client.execute('SELECT sqlite_version() AS v')).rows[0].v;
const out = [];
for (const text of texts) {
  const r = await client.execute({ sql: 'SELECT hex(jsonb(?)) AS hex, json(jsonb(?)) AS json', args: [text, text] });
  out.push({ text, hex: r.rows[0].hex, json: r.rows[0].json });
}
process.stdout.write(JSON.stringify({ sqlite_version: version, samples: out }));
client.close();
