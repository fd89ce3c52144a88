// Runs real workflows with Mastra's own engine (the pinned @mastra/core in convex/node_modules) on a
// LibSQLStore file, leaving one run in each state the dashboard must describe honestly:
//
//   node tests/node/workflow_states.mjs <file.db>             on a LibSQLStore file
//   node tests/node/workflow_states.mjs --convex URL KEY      on a Convex deployment (@mastra/convex)
//
// prints {runs: {state: {workflowName, runId}}}
//
// suspended       a step called suspend() (waits for a manager)
// failed-foreach  a foreach over 4 items whose third item throws
// failed-parallel a parallel block whose second branch throws
// stuck           a step that never returns: the process exits while the run is "running"
// sleeping        a sleep of an hour: the process exits while the run is "waiting"
// success         a run that suspended, was resumed and finished
//
// The process exits as soon as the stuck and sleeping runs have persisted their snapshots, the way
// a crashed or redeployed Mastra server leaves them. Errors go to stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { LibSQLStore } = await load('@mastra/libsql');
const { createWorkflow, createStep } = await load('@mastra/core/workflows');
const { Mastra } = await load('@mastra/core/mastra');
const { z } = await load('zod');

const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = console.error;

const args = process.argv.slice(2);
let store;
if (args[0] === '--convex' && args.length === 3) {
  const { ConvexStore } = await load('@mastra/convex');
  store = new ConvexStore({ id: 'workflow-states', deploymentUrl: args[1], adminAuthToken: args[2] });
} else if (args.length === 1) {
  store = new LibSQLStore({ id: 'workflow-states', url: `file:${path.resolve(args[0])}` });
} else {
  console.error('usage: workflow_states.mjs <file.db> | --convex URL KEY');
  process.exit(2);
}
await store.init();
const workflows = await store.getStore('workflows');

const order = z.object({ orderId: z.string() });
const approval = createStep({ id: 'manager-approval', inputSchema: order, outputSchema: z.object({ approved: z.boolean() }),
  suspendSchema: z.object({ reason: z.string() }), resumeSchema: z.object({ approved: z.boolean() }),
  execute: async ({ resumeData, suspend }) => {
    if (!resumeData) { await suspend({ reason: 'Refund over 100 EUR needs a manager' }); return { approved: false }; }
    return { approved: resumeData.approved };
  } });
const refundApproval = createWorkflow({ id: 'refund-approval', inputSchema: order, outputSchema: z.object({ approved: z.boolean() }) })
  .then(approval).commit();

const sku = z.object({ sku: z.string() });
const upsert = createStep({ id: 'upsert-sku', inputSchema: sku, outputSchema: z.object({ ok: z.boolean() }),
  execute: async ({ inputData }) => {
    if (inputData.sku === 'SKU-3') throw new Error('Catalog API refused SKU-3: price missing');
    return { ok: true };
  } });
const listSkus = createStep({ id: 'list-skus', inputSchema: z.object({}), outputSchema: z.array(sku),
  execute: async () => ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4'].map((s) => ({ sku: s })) });
const catalogSync = createWorkflow({ id: 'catalog-sync', inputSchema: z.object({}), outputSchema: z.array(z.object({ ok: z.boolean() })) })
  .then(listSkus).foreach(upsert, { concurrency: 1 }).commit();

const checkFraud = createStep({ id: 'check-fraud', inputSchema: order, outputSchema: z.object({ risk: z.number() }),
  execute: async () => ({ risk: 0.1 }) });
const checkStock = createStep({ id: 'check-stock', inputSchema: order, outputSchema: z.object({ inStock: z.boolean() }),
  execute: async () => { throw new Error('Warehouse API timed out'); } });
const orderChecks = createWorkflow({ id: 'order-checks', inputSchema: order, outputSchema: z.any() })
  .parallel([checkFraud, checkStock]).commit();

const fetchOrder = createStep({ id: 'fetch-order', inputSchema: order, outputSchema: order, execute: async ({ inputData }) => inputData });
const hang = createStep({ id: 'call-carrier', inputSchema: order, outputSchema: order, execute: () => new Promise(() => {}) });
const shipping = createWorkflow({ id: 'shipping-label', inputSchema: order, outputSchema: order }).then(fetchOrder).then(hang).commit();

const remind = createStep({ id: 'send-reminder', inputSchema: order, outputSchema: order, execute: async ({ inputData }) => inputData });
const reminder = createWorkflow({ id: 'payment-reminder', inputSchema: order, outputSchema: order })
  .then(fetchOrder).sleep(3_600_000).then(remind).commit();

const mastra = new Mastra({ storage: store, workflows: { refundApproval, catalogSync, orderChecks, shipping, reminder }, logger: false });
const runs = {};
const start = async (key, name, inputData, opts = {}) => {
  const run = await mastra.getWorkflow(name).createRun({ resourceId: 'user-alice' });
  runs[key] = { workflowName: mastra.getWorkflow(name).id, runId: run.runId };
  const done = run.start({ inputData });
  if (opts.wait === false) return run;
  await done;
  return run;
};
await start('suspended', 'refundApproval', { orderId: 'ord-1001' });
const resumed = await start('success', 'refundApproval', { orderId: 'ord-1002' });
await resumed.resume({ step: 'manager-approval', resumeData: { approved: true } });
await start('failed-foreach', 'catalogSync', {});
await start('failed-parallel', 'orderChecks', { orderId: 'ord-1003' });
await start('stuck', 'shipping', { orderId: 'ord-1004' }, { wait: false });
await start('sleeping', 'reminder', { orderId: 'ord-1005' }, { wait: false });

// Wait until the unfinished runs have saved the snapshot they would be left with.
const want = { stuck: 'running', sleeping: 'waiting' };
for (let i = 0; i < 200; i++) {
  let ready = true;
  for (const [key, status] of Object.entries(want)) {
    const snap = await workflows.loadWorkflowSnapshot(runs[key]);
    const stepDone = snap && Object.keys(snap.context ?? {}).includes('fetch-order');
    if (!snap || snap.status !== status || !stepDone) ready = false;
  }
  if (ready) break;
  await new Promise((r) => setTimeout(r, 50));
}
out(JSON.stringify({ runs }) + '\n');
process.exit(0);
