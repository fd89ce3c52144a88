// Writes Mastra's newer data with Mastra's own TypeScript code (the pinned @mastra/libsql and
// @mastra/convex in convex/node_modules), offline: no model, no network. Then prints what Mastra
// itself reads back, so tests can compare the Python stores field for field.
//
//   node tests/node/mastra_newer_data.mjs libsql <file.db>
//   node tests/node/mastra_newer_data.mjs convex --url URL --admin-key KEY
//
// What is written, through the stores' public domain APIs (the calls @mastra/memory, the workflow
// scheduler and the background-task manager make; those callers need a model or a clock to run):
// * a thread (and a second one) with four messages, saved with saveThread / saveMessages;
// * observational memory: a resource-scope record taken through initialize -> updateActiveObservations
//   -> updateBufferedObservations -> swapBufferedToActive -> updateBufferedReflection ->
//   swapBufferedReflectionToActive (two generations), and a thread-scope record with a chunk still
//   buffered and the observing flag set;
// * schedules: a declarative workflow schedule registered by Mastra itself (new Mastra({workflows})
//   + startWorkers(), as a server boots), a workflow schedule (active) and an agent schedule
//   (paused) through the schedules API, two triggers (a
//   published fire with its run id, a failed fire with its error), and the snapshot of the run the
//   published fire started (persistWorkflowSnapshot);
// * background tasks: suspended, completed (with result) and failed (with error) tasks;
// * vectors (semantic recall's shape: ids = message ids, metadata {message_id, thread_id, ...}):
//   LibSQLVector / ConvexVector createIndex + upsert, and Mastra's own query for message m1's
//   nearest neighbours.
//
// Output: one JSON document {written: {...ids}, read: {...what Mastra returns}}; Dates become ISO
// strings. Errors: stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);

const out = process.stdout.write.bind(process.stdout);
process.env.MASTRA_TELEMETRY_DISABLED = '1';
console.log = console.info = console.warn = console.debug = console.error;

const { positionals, values: opts } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string' }, 'admin-key': { type: 'string' } },
});
const [kind, file] = positionals;

let store;
let vector;
if (kind === 'libsql' && file) {
  const { LibSQLStore, LibSQLVector } = await load('@mastra/libsql');
  const url = `file:${path.resolve(file)}`;
  store = new LibSQLStore({ id: 'newer-data', url });
  vector = new LibSQLVector({ id: 'newer-data-vectors', url });
} else if (kind === 'convex' && opts.url && opts['admin-key']) {
  const { ConvexStore, ConvexVector } = await load('@mastra/convex');
  const config = { deploymentUrl: opts.url, adminAuthToken: opts['admin-key'] };
  store = new ConvexStore({ id: 'newer-data', ...config });
  vector = new ConvexVector({ id: 'newer-data-vectors', ...config });
} else {
  console.error('usage: mastra_newer_data.mjs libsql <file.db> | convex --url URL --admin-key KEY');
  process.exit(2);
}
await store.init();
const memory = await store.getStore('memory');
const workflows = await store.getStore('workflows');
const schedules = await store.getStore('schedules');
const tasks = await store.getStore('backgroundTasks');

const RESOURCE = 'user-om';
const THREAD = 'thread-om-1';
const at = (iso) => new Date(iso);

// --- the conversation the memory and the vectors are about ---------------------------------------
const TEXTS = { m1: 'Do you store data in the EU?', m2: 'Yes, all data stays in Frankfurt.',
  m3: 'What does the Pro plan cost?', m4: 'Can I export my history?' };
await memory.saveThread({ thread: { id: THREAD, resourceId: RESOURCE, title: 'Data residency and pricing',
  metadata: {}, createdAt: at('2025-06-02T09:00:00.000Z'), updatedAt: at('2025-06-02T09:04:00.000Z') } });
await memory.saveThread({ thread: { id: 'thread-om-2', resourceId: RESOURCE, title: 'Export question',
  metadata: {}, createdAt: at('2025-06-02T11:00:00.000Z'), updatedAt: at('2025-06-02T11:00:00.000Z') } });
await memory.saveMessages({
  messages: Object.entries(TEXTS).map(([id, text], n) => ({
    id, threadId: THREAD, resourceId: RESOURCE, role: n % 2 ? 'assistant' : 'user', type: 'v2',
    createdAt: at(`2025-06-02T09:0${n}:00.000Z`), content: { format: 2, parts: [{ type: 'text', text }] },
  })),
});

// --- observational memory ---------------------------------------------------------------------
const config = { observation: { messageTokens: 30000, bufferTokens: 6000 }, reflection: { observationTokens: 40000 } };
let record = await memory.initializeObservationalMemory({
  threadId: null, resourceId: RESOURCE, scope: 'resource', config, observedTimezone: 'Europe/Berlin',
});
await memory.updateActiveObservations({
  id: record.id, observations: '- 🔴 User prefers EU data residency\n- 🟡 Works at a 40-person agency',
  tokenCount: 12, lastObservedAt: at('2025-06-02T09:00:00.000Z'), observedMessageIds: ['m1', 'm2'],
});
await memory.updateBufferedObservations({
  id: record.id,
  chunk: { cycleId: 'cyc1', observations: '- 🟡 asked about pricing', tokenCount: 8, messageIds: ['m3'],
    messageTokens: 420, lastObservedAt: at('2025-06-02T09:02:00.000Z') },
  lastBufferedAtTime: at('2025-06-02T09:02:00.000Z'),
});
await memory.swapBufferedToActive({ id: record.id, activationRatio: 1, messageTokensThreshold: 1000, currentPendingTokens: 420 });
await memory.updateBufferedReflection({
  id: record.id, reflection: '- user: EU residency, agency of 40, pricing-sensitive', tokenCount: 15,
  inputTokenCount: 30, reflectedObservationLineCount: 2,
});
record = await memory.getObservationalMemory(null, RESOURCE);
await memory.swapBufferedReflectionToActive({ currentRecord: record, tokenCount: 15 });

let threadRecord = await memory.initializeObservationalMemory({
  threadId: THREAD, resourceId: RESOURCE, scope: 'thread', config: { observation: { messageTokens: 20000 } },
});
await memory.updateActiveObservations({
  id: threadRecord.id, observations: '- 🔴 Order A-10492 arrived cracked; refund requested', tokenCount: 9,
  lastObservedAt: at('2025-06-02T10:00:00.000Z'), observedMessageIds: ['t1', 't2'],
});
await memory.updateBufferedObservations({
  id: threadRecord.id,
  chunk: { cycleId: 'cyc-t1', observations: '- 🟡 asked for a replacement instead', tokenCount: 7,
    messageIds: ['t3'], messageTokens: 310, lastObservedAt: at('2025-06-02T10:05:00.000Z'),
    currentTask: 'Offer a replacement blender' },
  lastBufferedAtTime: at('2025-06-02T10:05:00.000Z'),
});
await memory.setObservingFlag(threadRecord.id, true);

// --- schedules ----------------------------------------------------------------------------------
// A declarative schedule, registered by Mastra itself: startWorkers() writes the wf_<id> row (with
// the next fire computed from the cron) the way a Mastra server does when it boots. First, because
// it also prunes wf_ rows of workflows this Mastra does not declare.
{
  const { Mastra } = await load('@mastra/core/mastra');
  const { createWorkflow, createStep } = await load('@mastra/core/workflows');
  const { z } = await load('zod');
  const step = createStep({ id: 'build-digest', inputSchema: z.object({ region: z.string() }),
    outputSchema: z.object({ rows: z.number() }), execute: async () => ({ rows: 1 }) });
  const digest = createWorkflow({ id: 'weekly-digest', inputSchema: step.inputSchema, outputSchema: step.outputSchema,
    schedule: { cron: '0 9 * * 1', timezone: 'Europe/Berlin', inputData: { region: 'eu' } } }).then(step).commit();
  const mastra = new Mastra({ workflows: { digest }, storage: store });
  await mastra.startWorkers();
  await mastra.stopWorkers();
}

const FIRE = 1748941200000;
const RUN_ID = `sched_wf_nightly-report_${FIRE}`;
await schedules.createSchedule({
  id: 'wf_nightly-report', target: { type: 'workflow', workflowId: 'nightly-report', inputData: { region: 'eu' } },
  cron: '0 2 * * *', timezone: 'Europe/Berlin', status: 'active', nextFireAt: 1749027600000, lastFireAt: FIRE,
  lastRunId: RUN_ID, createdAt: 1748854800000, updatedAt: 1748941200500, metadata: { owner: 'ops' },
});
await schedules.createSchedule({
  id: 'agent_support__morning',
  target: { type: 'agent', agentId: 'support', prompt: 'Summarise overnight tickets', threadId: 'thread-ops',
    resourceId: 'team-ops', signalType: 'notification' },
  cron: '0 8 * * 1-5', status: 'paused', nextFireAt: 1748858400000, createdAt: 1748854800000,
  updatedAt: 1748854800000, ownerType: 'agent', ownerId: 'support',
});
await schedules.recordTrigger({
  id: 'trig_ok', scheduleId: 'wf_nightly-report', runId: RUN_ID, scheduledFireAt: FIRE, actualFireAt: FIRE + 40,
  outcome: 'published', triggerKind: 'schedule-fire',
});
await schedules.recordTrigger({
  id: 'trig_fail', scheduleId: 'wf_nightly-report', runId: null, scheduledFireAt: FIRE - 86400000,
  actualFireAt: FIRE - 86400000 + 25, outcome: 'failed', error: 'Workflow nightly-report is not registered',
  triggerKind: 'schedule-fire', metadata: { attempt: 1 },
});
await workflows.persistWorkflowSnapshot({
  workflowName: 'nightly-report', runId: RUN_ID,
  snapshot: { runId: RUN_ID, status: 'success', value: {}, context: { input: { region: 'eu' },
    'build-report': { status: 'success', output: { rows: 1204 }, startedAt: FIRE + 50, endedAt: FIRE + 900 } },
    activePaths: [], activeStepsPath: {}, serializedStepGraph: [], suspendedPaths: {}, resumeLabels: {},
    waitingPaths: {}, result: { rows: 1204 }, timestamp: FIRE + 900 },
  createdAt: new Date(FIRE + 45), updatedAt: new Date(FIRE + 900),
});

// --- background tasks ----------------------------------------------------------------------------
const base = { agentId: 'researcher', runId: 'run-bt-1', threadId: THREAD, resourceId: RESOURCE, retryCount: 0,
  maxRetries: 2, timeoutMs: 600000 };
await tasks.createTask({ ...base, id: 'bt_suspended', status: 'running', toolName: 'deepResearch',
  toolCallId: 'call_9', args: { topic: 'solar' }, createdAt: at('2025-06-02T09:00:00.000Z'),
  startedAt: at('2025-06-02T09:00:01.000Z') });
await tasks.updateTask('bt_suspended', { status: 'suspended', suspendPayload: { question: 'Which years?' },
  suspendedAt: at('2025-06-02T09:00:05.000Z') });
await tasks.createTask({ ...base, id: 'bt_done', status: 'running', toolName: 'summarise', toolCallId: 'call_10',
  args: { doc: 'Q2 report' }, createdAt: at('2025-06-02T09:01:00.000Z'), startedAt: at('2025-06-02T09:01:01.000Z') });
await tasks.updateTask('bt_done', { status: 'completed', result: { summary: 'Revenue up 12%' },
  completedAt: at('2025-06-02T09:01:30.000Z') });
await tasks.createTask({ ...base, id: 'bt_failed', status: 'running', toolName: 'fetchFilings', toolCallId: 'call_11',
  args: { ticker: 'ACME' }, createdAt: at('2025-06-02T09:02:00.000Z'), startedAt: at('2025-06-02T09:02:01.000Z'),
  retryCount: 2 });
await tasks.updateTask('bt_failed', { status: 'failed', error: { message: 'SEC API returned 429' },
  completedAt: at('2025-06-02T09:02:09.000Z') });

// --- vectors (semantic recall) -------------------------------------------------------------------
const INDEX = 'mastra_memory_text_embedding_3_small';
const EMBEDDINGS = {
  m1: [0.1, 0.2, 0.3, 0.4], m2: [0.1, 0.2, 0.31, 0.39], m3: [0.9, -0.1, 0.05, 0.0], m4: [-0.4, 0.3, 0.2, 0.1],
};
await vector.createIndex({ indexName: INDEX, dimension: 4, metric: 'cosine' });
const ids = Object.keys(EMBEDDINGS);
await vector.upsert({
  indexName: INDEX, ids, vectors: ids.map((id) => EMBEDDINGS[id]),
  metadata: ids.map((id, n) => ({ message_id: id, thread_id: THREAD, resource_id: RESOURCE,
    role: n % 2 ? 'assistant' : 'user', content: TEXTS[id], created_at: `2025-06-02T09:0${n}:00.000Z` })),
});

// --- read back, as Mastra reads ------------------------------------------------------------------
const iso = (value) => JSON.parse(JSON.stringify(value));
const read = {
  omResource: iso(await memory.getObservationalMemory(null, RESOURCE)),
  omResourceHistory: iso(await memory.getObservationalMemoryHistory(null, RESOURCE, 10)),
  omThread: iso(await memory.getObservationalMemory(THREAD, RESOURCE)),
  schedules: iso(await schedules.listSchedules()),
  triggers: iso(await schedules.listTriggers('wf_nightly-report')),
  tasks: iso(await tasks.listTasks({})),
  indexes: iso(await vector.listIndexes()),
  describe: iso(await vector.describeIndex({ indexName: INDEX })),
  neighbours: iso(await vector.query({ indexName: INDEX, queryVector: EMBEDDINGS.m1, topK: 3 })),
};
out(JSON.stringify({ written: { resourceId: RESOURCE, threadId: THREAD, runId: RUN_ID, index: INDEX }, read }));
process.exit(0);
