// Local stand-in for a Convex deployment's HTTP function API, for tests and `make run-convex`.
//
// It runs this project's real schema.ts and function modules (mastra/storage.ts and whatever
// else convex/ holds) inside convex-test, Convex's in-memory test backend, with transaction
// limits on, and answers /api/query, /api/mutation, /api/action and /api/function with the
// status codes and JSON envelopes of a Convex deployment. See convex/README.md for what was
// checked against Convex's source and what is not modelled.
//
//   node devserver/server.dev.mjs --admin-key KEY [--port N] [--exclude-module mastra/dashboard]...
//                                 [--with-test-module] [--internal-storage]
//
// --internal-storage (or CONVEX_DEV_INTERNAL_STORAGE=1) serves variants/storage.internal.ts at
// mastra/storage: Mastra's handler as an internal mutation, reachable only with the admin key.
//
// Prints one line `READY http://127.0.0.1:PORT` on stdout once it serves; everything else,
// including console output of Convex functions, goes to stderr.
import http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeFunctionReference } from 'convex/server';
import { convexToJson, jsonToConvex } from 'convex/values';
import { convexTest } from 'convex-test';
import { TransactionMetricsTracker } from 'convex-test/dist/transactionMetrics.js';
import { buildFunctions, convexTestModules, lookupFunction, parseFunctionPath } from './functions.dev.mjs';

const MAX_BODY_BYTES = 20 * 1024 * 1024; // Convex accepts up to 16 MiB of arguments
const ENDPOINTS = { '/api/query': 'query', '/api/mutation': 'mutation', '/api/action': 'action', '/api/function': 'any' };
const TITLE = { query: 'Query', mutation: 'Mutation', action: 'Action' };
const FORMATS = new Set([undefined, 'json', 'convex_encoded_json']);

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'admin-key': { type: 'string' },
    'exclude-module': { type: 'string', multiple: true, default: [] },
    'with-test-module': { type: 'boolean', default: false },
    'internal-storage': { type: 'boolean', default: false },
  },
});
const adminKey = opts['admin-key'] ?? process.env.CONVEX_DEV_ADMIN_KEY;
if (!adminKey) {
  console.error('error: pass --admin-key KEY (or set CONVEX_DEV_ADMIN_KEY); clients send it as `Authorization: Convex KEY`');
  process.exit(2);
}
// stdout carries only the READY line, so a parent process can read it and then ignore the pipe.
console.log = console.info = console.debug = console.error;

// Also read from the environment, like the admin key, so a launcher that passes its environment
// through can turn it on without a new command-line option.
const internalStorage = opts['internal-storage'] || process.env.CONVEX_DEV_INTERNAL_STORAGE === '1';
const built = await buildFunctions({
  exclude: opts['exclude-module'],
  withTestModule: opts['with-test-module'],
  internalStorage,
});
const schema = (await import(built.schemaUrl)).default;
const freshBackend = () => convexTest({ schema, modules: convexTestModules(built), transactionLimits: true });
let backend = freshBackend();

// Documents read, per request and in total. convex-test's transaction tracker already counts every
// document a function reads (that is how it enforces the 16 MiB / 32,000-document limits); the
// server wraps its trackRead so each request also gets the figures: response headers
// `X-Dev-Documents-Read` / `X-Dev-Bytes-Read` (also sent when the function failed on a limit), and
// running totals at `GET /__dev/stats` (admin key). Caveat, from convex-test: documents that a
// Convex `.filter()` drops are not counted (real Convex counts every scanned document); the
// dashboard module and Mastra's indexed reads do not use `.filter()`.
const requestReads = new AsyncLocalStorage();
const totals = { requests: 0, documentsRead: 0, bytesRead: 0 };
const trackRead = TransactionMetricsTracker.prototype.trackRead;
TransactionMetricsTracker.prototype.trackRead = function (docSizeBytes) {
  const reads = requestReads.getStore();
  if (reads) {
    reads.documentsRead += 1;
    reads.bytesRead += docSizeBytes;
  }
  return trackRead.call(this, docSizeBytes);
};

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    Object.assign(this, { status, code });
  }
}

// Convex keys look like "prod:name|secret"; the "prod:" type prefix is cosmetic and is ignored
// (crates/local_backend/src/authentication.rs, remove_type_prefix_from_admin_key).
const normalizeKey = (key) => {
  const bar = key.indexOf('|');
  if (bar === -1) return key;
  const instance = key.slice(0, bar);
  return instance.slice(instance.indexOf(':') + 1) + key.slice(bar);
};
const expectedKey = Buffer.from(normalizeKey(adminKey));

/** -> {admin: boolean}; throws HttpError for headers Convex rejects. Mirrors authentication.rs. */
function identify(header) {
  if (header === undefined) return { admin: false };
  if (header.length < 7) throw new HttpError(400, 'InvalidHeaderFailure', 'Invalid authentication header');
  if (header.slice(0, 7).toLowerCase() !== 'convex ') {
    // A user JWT: Convex would check it against the deployment's auth providers; here there are none.
    throw new HttpError(401, 'NoAuthProvider', 'No auth provider found matching the given token');
  }
  let key = normalizeKey(header.slice(7));
  const colon = key.indexOf(':');
  if (colon !== -1) {
    // "key:base64(json)" is an admin acting as a user; the identity itself is not modelled.
    try {
      JSON.parse(Buffer.from(key.slice(colon + 1), 'base64').toString('utf8'));
    } catch {
      throw new HttpError(400, 'HeaderParseFailure', 'Malformed Authorization header.');
    }
    key = key.slice(0, colon);
  }
  const given = Buffer.from(key);
  if (given.length !== expectedKey.length || !timingSafeEqual(given, expectedKey)) {
    throw new HttpError(401, 'BadAdminKey', 'The provided admin key was invalid for this instance');
  }
  return { admin: true };
}

async function readJsonBody(req) {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(400, 'BadJsonBody', 'Expected request with `Content-Type: application/json`');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PayloadTooLarge', `Request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'BadJsonBody', `Failed to parse the request body as JSON: ${e.message}`);
  }
}

// The "json" format is Convex's clean JSON export: int64 as a decimal string, bytes as base64.
const cleanJson = (value) =>
  JSON.parse(
    JSON.stringify(value ?? null, (_k, v) =>
      typeof v === 'bigint' ? v.toString() : v instanceof ArrayBuffer ? Buffer.from(v).toString('base64') : v,
    ),
  );

const udfError = (errorMessage, errorData) => ({
  status: 560, // Convex's STATUS_CODE_UDF_FAILED (convex/src/browser/http_client.ts)
  body: { status: 'error', errorMessage, ...(errorData === undefined ? {} : { errorData }) },
});

/** Runs one function call; returns {status, body}. `endpoint` is query|mutation|action|any. */
async function callFunction(endpoint, req) {
  const identity = identify(req.headers.authorization);
  const body = await readJsonBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'BadJsonBody', 'Failed to deserialize the JSON body into the target type: expected a JSON object');
  }
  for (const field of ['path', 'args']) {
    if (!(field in body)) {
      throw new HttpError(400, 'BadJsonBody', `Failed to deserialize the JSON body into the target type: missing field \`${field}\``);
    }
  }
  if (!FORMATS.has(body.format)) throw new HttpError(400, 'InvalidFormat', `Invalid value format: ${body.format}`);
  const fnPath = parseFunctionPath(body.path);
  if (!fnPath) throw new HttpError(400, 'InvalidConvexFunction', `Failed to parse Convex function path: ${body.path}`);

  // Same message for "missing" and "not visible to you", so callers cannot probe for internal
  // functions (crates/application/src/lib.rs any_udf; isolate ValidatedPathAndArgs::new_inner).
  const fn = await lookupFunction(built, fnPath);
  if (!fn || !(fn.isPublic || identity.admin)) {
    const what = endpoint === 'any' ? 'function' : 'public function';
    return udfError(`Could not find ${what} for '${fnPath.stripped}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`);
  }
  if (endpoint !== 'any' && fn.kind !== endpoint) {
    return udfError(`Trying to execute ${fnPath.canonical} as ${TITLE[endpoint]}, but it is defined as ${TITLE[fn.kind]}.`);
  }

  // `args` is one object, or the official clients' one-element array.
  const encoded = body.format === 'convex_encoded_json';
  let args = Array.isArray(body.args) ? (body.args[0] ?? {}) : body.args;
  if (encoded) args = jsonToConvex(args);
  const ref = makeFunctionReference(`${fnPath.modulePath}:${fnPath.exportName}`);
  const reads = { documentsRead: 0, bytesRead: 0 };
  try {
    const value = await requestReads.run(reads, () => backend[fn.kind](ref, args));
    return { status: 200, body: { status: 'success', value: encoded ? convexToJson(value ?? null) : cleanJson(value) }, reads };
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    console.error(`[dev-server] ${fn.kind} ${fnPath.stripped} failed: ${name}: ${message}`);
    const data = name === 'ConvexError' ? e.data : undefined;
    return { ...udfError(`Uncaught ${name}: ${message}`, data === undefined ? undefined : encoded ? convexToJson(data) : cleanJson(data)), reads };
  }
}

async function route(req) {
  const { pathname } = new URL(req.url, 'http://127.0.0.1');
  if (pathname === '/__dev/health' && req.method === 'GET') return { status: 200, body: { ok: true } };
  if (pathname === '/__dev/stats' && req.method === 'GET') {
    if (!identify(req.headers.authorization).admin) {
      throw new HttpError(401, 'BadAdminKey', 'The dev server statistics need the admin key');
    }
    return { status: 200, body: { ...totals } };
  }
  if (pathname === '/__dev/reset' && req.method === 'POST') {
    if (!identify(req.headers.authorization).admin) {
      throw new HttpError(401, 'BadAdminKey', 'Resetting the dev server needs the admin key');
    }
    backend = freshBackend();
    return { status: 200, body: { ok: true } };
  }
  const endpoint = ENDPOINTS[pathname];
  if (!endpoint) throw new HttpError(404, 'NotFound', `No route for ${req.method} ${pathname}`);
  if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `Use POST for ${pathname}`);
  return await callFunction(endpoint, req);
}

const server = http.createServer(async (req, res) => {
  let result;
  try {
    result = await route(req);
  } catch (e) {
    if (!(e instanceof HttpError)) console.error('[dev-server] internal error:', e);
    result = e instanceof HttpError
      ? { status: e.status, body: { code: e.code, message: e.message } }
      : { status: 500, body: { code: 'InternalServerError', message: 'Internal dev server error; see its stderr' } };
    req.resume(); // drain an unread body so the connection can be reused
  }
  const payload = JSON.stringify(result.body);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  if (result.reads) {
    totals.requests += 1;
    totals.documentsRead += result.reads.documentsRead;
    totals.bytesRead += result.reads.bytesRead;
    headers['X-Dev-Documents-Read'] = String(result.reads.documentsRead);
    headers['X-Dev-Bytes-Read'] = String(result.reads.bytesRead);
  }
  res.writeHead(result.status, headers);
  res.end(payload);
});

const shutdown = () => {
  built.cleanup();
  server.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('exit', built.cleanup);

server.listen(Number(opts.port), '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${server.address().port}\n`);
});
