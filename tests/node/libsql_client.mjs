// Drives Mastra's own LibSQLStore (the pinned @mastra/libsql 1.23.1 in convex/node_modules) on a
// SQLite file, so tests can check that the Python SQLiteStore reads what Mastra writes, and back.
//
//   node tests/node/libsql_client.mjs write <file.db>   < {}
//   node tests/node/libsql_client.mjs read  <file.db>   < {threadIds, resourceIds, runs, scoreIds, scorerIds, updates}
//
// write  initialises a fresh file with store.init() and fills it the way a Mastra app does: threads
//        (saveThread, updateThread for thread-scoped working memory), messages built by core's
//        MessageList from AI SDK v5 model messages (reasoning, a tool call and its result, text) and
//        saved with saveMessages, resources with Markdown and JSON working memory (saveResource,
//        updateResource), workflow snapshots from real runs of the workflow engine (one suspended,
//        one suspended then resumed to success, one failed), and scores (saveScore). Then it reads
//        everything back through the same API and prints {ids, read}.
// read   optionally applies `updates` first ([{op: "updateThread"|"updateResource", ...args}]),
//        then prints what getThreadById, listThreads, listMessages (whole thread), getResourceById,
//        getWorkflowRunById, loadWorkflowSnapshot, listWorkflowRuns (all, and per status),
//        getScoreById and listScoresByScorerId return.
//
// Output is one JSON document on stdout (Dates become ISO strings). Errors: stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { LibSQLStore } = await load('@mastra/libsql');
const { MessageList } = await load('@mastra/core/agent/message-list');
const { createWorkflow, createStep } = await load('@mastra/core/workflows');
const { Mastra } = await load('@mastra/core/mastra');
const { z } = await load('zod');

// Mastra's logger writes to the console; stdout must hold only the JSON result.
const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = console.error;

const [command, file] = process.argv.slice(2);
if (!['write', 'read'].includes(command) || !file) {
  console.error('usage: libsql_client.mjs <write|read> <file.db> < spec.json');
  process.exit(2);
}
let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input || '{}');

const store = new LibSQLStore({ id: 'cross-client', url: `file:${path.resolve(file)}` });
await store.init();
const memory = await store.getStore('memory');
const workflows = await store.getStore('workflows');
const scores = await store.getStore('scores');

const ALICE_WM =
  '# User Information\n- **First Name**: Alice\n- **Location**: Paris, France\n- **Preferred units**: metric\n- **Interests**: hiking, pastry\n';
const BOB_WM = JSON.stringify({ name: 'Bob', timezone: 'Europe/Lisbon', trips: [{ city: 'Lisbon', month: 'July' }] });

async function write() {
  const ids = { threads: [], resources: ['user-alice', 'user-bob'], runs: [], scores: [], scorers: [] };
  const weather = { id: '71facad8-53dd-5d9b-bfc7-eb2d9961272b', resourceId: 'user-alice', title: 'Weather in Paris',
    metadata: { channel: 'web', tags: ['weather'], pinned: true },
    createdAt: new Date('2025-06-02T09:10:00.000Z'), updatedAt: new Date('2025-06-02T09:10:00.000Z') };
  const trip = { id: '10724fc5-056b-5956-814a-4d23883e8dfc', resourceId: 'user-bob', title: 'Trip planning',
    metadata: { channel: 'api' }, createdAt: new Date('2025-06-02T09:30:00.000Z'), updatedAt: new Date('2025-06-02T09:30:00.000Z') };
  const bare = { id: 'b2f7c1e0-0000-4000-8000-000000000003', resourceId: 'user-alice',
    title: '[draft] Croissant ✨ «quotes» "double"', createdAt: new Date('2025-06-02T10:00:00.000Z'),
    updatedAt: new Date('2025-06-02T10:00:00.000Z') };
  for (const thread of [weather, trip, bare]) {
    await memory.saveThread({ thread });
    ids.threads.push(thread.id);
  }
  // Thread-scoped working memory, as @mastra/memory writes it.
  await memory.updateThread({ id: trip.id, title: trip.title, metadata: { ...trip.metadata,
    workingMemory: '# Trip\n- **Destination**: Lisbon\n- **Dates**: 2025-07-10 to 2025-07-14\n- **Budget**: 900 EUR\n' } });

  // Messages exactly as an Agent persists them: MessageList from the AI SDK v5 response.
  const list = new MessageList({ threadId: weather.id, resourceId: 'user-alice' });
  list.add({ role: 'user', content: 'What is the weather in Paris right now?' }, 'input');
  list.add([
    { role: 'assistant', content: [
      { type: 'reasoning', text: 'The user wants current weather; call weatherTool for Paris.' },
      { type: 'tool-call', toolCallId: 'call_wx_1', toolName: 'weatherTool', input: { city: 'Paris', units: 'metric' } },
    ] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_wx_1', toolName: 'weatherTool',
      output: { type: 'json', value: { city: 'Paris', tempC: 18, conditions: 'Cloudy', windKph: 12 } } }] },
    { role: 'assistant', content: [{ type: 'text', text: 'It is 18 °C and cloudy in Paris, with a light wind (12 km/h).' }] },
  ], 'response');
  await memory.saveMessages({ messages: list.get.all.db() });
  const slack = new MessageList({ threadId: trip.id, resourceId: 'user-bob' });
  slack.add({ id: 'msg-slack-1', role: 'user', parts: [{ type: 'text', text: 'Plan Lisbon in July 🇵🇹' }],
    metadata: { source: 'slack', slackTs: '1717318860.000100' } }, 'input');
  await memory.saveMessages({ messages: slack.get.all.db() });

  await memory.saveResource({ resource: { id: 'user-alice', workingMemory: ALICE_WM,
    metadata: { plan: 'pro', locale: 'fr-FR', onboarded: true },
    createdAt: new Date('2025-06-02T09:00:00.000Z'), updatedAt: new Date('2025-06-02T09:00:00.000Z') } });
  await memory.updateResource({ resourceId: 'user-bob', workingMemory: BOB_WM, metadata: { plan: 'free', lastSeenChannel: 'api' } });

  // Real workflow runs.
  const approval = createStep({ id: 'manager-approval', description: 'Wait for a manager',
    inputSchema: z.object({ orderId: z.string() }), outputSchema: z.object({ approved: z.boolean() }),
    suspendSchema: z.object({ reason: z.string() }), resumeSchema: z.object({ approved: z.boolean() }),
    execute: async ({ resumeData, suspend }) => {
      if (!resumeData) { await suspend({ reason: 'Amount over 100 EUR needs a manager' }); return { approved: false }; }
      return { approved: resumeData.approved };
    } });
  const orderApproval = createWorkflow({ id: 'order-approval', inputSchema: z.object({ orderId: z.string() }),
    outputSchema: z.object({ approved: z.boolean() }) }).then(approval).commit();
  const charge = createStep({ id: 'charge-card', description: 'Charge the customer card',
    inputSchema: z.object({ orderId: z.string() }), outputSchema: z.object({ ok: z.boolean() }),
    execute: async () => { throw new Error('Card declined: insufficient funds'); } });
  const paymentFlow = createWorkflow({ id: 'payment-flow', inputSchema: z.object({ orderId: z.string() }),
    outputSchema: z.object({ ok: z.boolean() }) }).then(charge).commit();
  const mastra = new Mastra({ storage: store, workflows: { orderApproval, paymentFlow }, logger: false });
  const suspended = await mastra.getWorkflow('orderApproval').createRun({ resourceId: 'user-alice' });
  await suspended.start({ inputData: { orderId: 'ord-1001' } });
  const resumed = await mastra.getWorkflow('orderApproval').createRun({ resourceId: 'user-alice' });
  await resumed.start({ inputData: { orderId: 'ord-1002' } });
  await resumed.resume({ step: 'manager-approval', resumeData: { approved: true } });
  const failed = await mastra.getWorkflow('paymentFlow').createRun({ resourceId: 'user-bob' });
  await failed.start({ inputData: { orderId: 'ord-2002' } });
  ids.runs = [
    { workflowName: 'order-approval', runId: suspended.runId },
    { workflowName: 'order-approval', runId: resumed.runId },
    { workflowName: 'payment-flow', runId: failed.runId },
  ];

  const messages = list.get.all.db();
  const agentScore = await scores.saveScore({
    scorerId: 'answer-relevancy', runId: '9cf4676d-c45a-58cd-b373-8b812b0d7fb3', traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    spanId: '0123456789abcdef',
    scorer: { id: 'answer-relevancy', name: 'Answer Relevancy', description: 'How relevant the answer is to the question', hasJudge: true },
    preprocessStepResult: { statements: ['It is 18 °C and cloudy in Paris'] },
    analyzeStepResult: { results: [{ result: 'yes', reason: 'on topic' }] },
    score: 0.92, reason: 'The answer directly addresses the weather in Paris.', metadata: { structuredOutput: false },
    preprocessPrompt: 'Extract statements from the output…', analyzePrompt: 'For each statement decide if it is relevant…',
    generateReasonPrompt: 'Explain the score…',
    input: { inputMessages: [messages[0]], rememberedMessages: [], systemMessages: [{ role: 'system', content: 'You are a helpful weather assistant.' }], taggedSystemMessages: {} },
    output: messages.slice(1), requestContext: {}, entityType: 'AGENT', entity: { id: 'weather-agent', name: 'Weather Agent' },
    entityId: 'weather-agent', source: 'LIVE', resourceId: 'user-alice', threadId: weather.id,
  });
  const workflowScore = await scores.saveScore({
    scorerId: 'approval-latency', runId: resumed.runId, scorer: { id: 'approval-latency', name: 'Approval latency' },
    score: 1, input: { orderId: 'ord-1002' }, output: { approved: true }, entityType: 'WORKFLOW',
    entity: { id: 'order-approval' }, entityId: 'order-approval', source: 'TEST',
  });
  ids.scores = [agentScore.score.id, workflowScore.score.id];
  ids.scorers = ['answer-relevancy', 'approval-latency'];
  return { ids, read: await read({ threadIds: ids.threads, resourceIds: ids.resources, runs: ids.runs, scoreIds: ids.scores, scorerIds: ids.scorers }) };
}

async function read({ threadIds = [], resourceIds = [], runs = [], scoreIds = [], scorerIds = [], updates = [] }) {
  for (const { op, ...args } of updates) {
    if (op === 'updateThread') await memory.updateThread(args);
    else if (op === 'updateResource') await memory.updateResource(args);
    else throw new Error(`unknown update op ${op}`);
  }
  const result = { threads: {}, threadList: [], messages: {}, resources: {}, workflowRuns: {}, workflowSnapshots: {},
    runList: [], runsByStatus: {}, scores: {}, scoresByScorer: {} };
  for (const threadId of threadIds) {
    result.threads[threadId] = await memory.getThreadById({ threadId });
    result.messages[threadId] = (await memory.listMessages({ threadId, perPage: false })).messages;
  }
  result.threadList = (await memory.listThreads({ perPage: false })).threads.map((t) => t.id);
  result.pinnedThreads = (await memory.listThreads({ perPage: false, filter: { metadata: { pinned: true } } })).threads.map((t) => t.id);
  for (const resourceId of resourceIds) result.resources[resourceId] = await memory.getResourceById({ resourceId });
  for (const { workflowName, runId } of runs) {
    const key = `${workflowName}/${runId}`;
    result.workflowRuns[key] = await workflows.getWorkflowRunById({ workflowName, runId });
    result.workflowSnapshots[key] = await workflows.loadWorkflowSnapshot({ workflowName, runId });
  }
  result.runList = (await workflows.listWorkflowRuns({})).runs.map((r) => `${r.workflowName}/${r.runId}`);
  for (const status of ['suspended', 'success', 'failed', 'running']) {
    result.runsByStatus[status] = (await workflows.listWorkflowRuns({ status })).runs.map((r) => `${r.workflowName}/${r.runId}`);
  }
  for (const id of scoreIds) result.scores[id] = await scores.getScoreById({ id });
  for (const scorerId of scorerIds) {
    result.scoresByScorer[scorerId] = (await scores.listScoresByScorerId({ scorerId, pagination: { page: 0, perPage: 100 } })).scores.map((s) => s.id);
  }
  return result;
}

try {
  const result = command === 'write' ? await write() : await read(spec);
  out(JSON.stringify(result));
  store.close?.();
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
