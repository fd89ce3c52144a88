// A real Mastra server for the dashboard's run-action tests: the pinned @mastra/core with the
// @mastra/hono adapter on @hono/node-server, its storage a mastra.db (LibSQLStore) or a Convex
// deployment (@mastra/convex's ConvexStore, e.g. the local Convex dev server).
//
// argv: <sqlite file> <token>, or "convex" <token> for Mastra's ConvexStore on the deployment named by
// the environment (MASTRA_TEST_CONVEX_URL, MASTRA_TEST_CONVEX_ADMIN_KEY: the key stays out of argv).
// Listens on 127.0.0.1 on a free port and prints one JSON line,
// {"url": "http://127.0.0.1:<port>"}, once it is ready. Every /api route needs
// "Authorization: Bearer <token>" (the dashboard's MASTRA_SERVER_TOKEN).
//
// Workflows:
// * approve-refund: takes {orderId, amount}; the step "approve" suspends with {orderId, amount,
//   reason} and resumes with {approved: boolean, note?: string}; the result says what was decided.
// * slow-report: one step that sleeps 60 s, so a test can cancel it while it is running.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(require.resolve(name));

const [dbFile, token] = process.argv.slice(2);
if (!dbFile || !token) {
  process.stderr.write('usage: mastra_server.mjs <sqlite file | convex> <token>\n');
  process.exit(2);
}

const { Mastra } = await load('@mastra/core');
const { createWorkflow, createStep } = await load('@mastra/core/workflows');
const { LibSQLStore } = await load('@mastra/libsql');
const { MastraServer } = await load('@mastra/hono');
const { Hono } = await load('hono');
const { serve } = await load('@hono/node-server');
const { z } = await load('zod');

const approve = createStep({
  id: 'approve',
  description: 'A manager approves refunds over $50',
  inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
  outputSchema: z.object({ orderId: z.string(), approved: z.boolean(), note: z.string() }),
  suspendSchema: z.object({ orderId: z.string(), amount: z.number(), reason: z.string() }),
  resumeSchema: z.object({ approved: z.boolean(), note: z.string().max(200).optional() }),
  execute: async ({ inputData, resumeData, suspend }) => {
    if (!resumeData) {
      return suspend({ orderId: inputData.orderId, amount: inputData.amount, reason: 'refund over $50' });
    }
    return { orderId: inputData.orderId, approved: resumeData.approved, note: resumeData.note ?? '' };
  },
});
const refund = createWorkflow({
  id: 'approve-refund',
  inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
  outputSchema: z.object({ orderId: z.string(), approved: z.boolean(), note: z.string() }),
})
  .then(approve)
  .commit();

const slowStep = createStep({
  id: 'gather',
  inputSchema: z.object({ month: z.string() }),
  outputSchema: z.object({ rows: z.number() }),
  execute: async ({ abortSignal }) => {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      abortSignal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); });
    });
    return { rows: 0 };
  },
});
const slowReport = createWorkflow({
  id: 'slow-report',
  inputSchema: z.object({ month: z.string() }),
  outputSchema: z.object({ rows: z.number() }),
})
  .then(slowStep)
  .commit();

let storage;
if (dbFile === 'convex') {
  const { ConvexStore } = await load('@mastra/convex');
  storage = new ConvexStore({
    id: 'dashboard-tests',
    deploymentUrl: process.env.MASTRA_TEST_CONVEX_URL,
    adminAuthToken: process.env.MASTRA_TEST_CONVEX_ADMIN_KEY,
  });
} else {
  storage = new LibSQLStore({ id: 'dashboard-tests', url: `file:${dbFile}` });
}
const mastra = new Mastra({
  workflows: { 'approve-refund': refund, 'slow-report': slowReport },
  storage,
  logger: false,
});

const app = new Hono();
app.use('/api/*', async (c, next) => {
  if (c.req.header('authorization') !== `Bearer ${token}`) {
    return c.json({ error: 'Unauthorized' }, 401);
  }
  await next();
});
const server = new MastraServer({ app, mastra });
await server.init();

const listener = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${info.port}` }) + '\n');
});
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
