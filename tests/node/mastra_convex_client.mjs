// Drives Mastra's own TypeScript ConvexStore (the pinned @mastra/convex in convex/node_modules)
// against a Convex deployment, so tests can check that what Python writes Mastra reads, and back.
//
//   node tests/node/mastra_convex_client.mjs <write|read|bench> --url URL --admin-key KEY < spec.json
//
// write  {threads, messages, resources, workflowSnapshots, scores}: Mastra-shaped inputs, saved with
//        saveThread / saveMessages / saveResource / persistWorkflowSnapshot / saveScore. ISO strings
//        in createdAt/updatedAt become Dates first, as Mastra passes them. Prints what the store
//        returned (saveScore generates the score ids).
// read   {threadIds, resourceIds, runs: [{workflowName, runId}], scoreIds, scorerIds}: prints what
//        getThreadById, listMessages (whole thread), getResourceById, getWorkflowRunById,
//        loadWorkflowSnapshot, getScoreById and listScoresByScorerId return, keyed by id.
// bench  {operations: [{op, ...params}], repeats}: prints the median ms of each operation:
//        listThreads (first page of 20), listMessages {threadId} (newest 40), getResourceById
//        {resourceId}, listWorkflowRuns (first page of 20), listScoresByScorerId {scorerId} (20).
//
// Output is one JSON document on stdout; Dates are ISO strings. Errors go to stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const { ConvexStore } = await import(pathToFileURL(require.resolve('@mastra/convex')).href);

const { positionals, values: opts } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string' }, 'admin-key': { type: 'string' } },
});
const command = positionals[0];
if (!['write', 'read', 'bench'].includes(command) || !opts.url || !opts['admin-key']) {
  console.error('usage: mastra_convex_client.mjs <write|read|bench> --url URL --admin-key KEY < spec.json');
  process.exit(2);
}

// Mastra's logger writes to the console; stdout must hold only the JSON result.
console.log = console.info = console.warn = console.debug = console.error;

let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input || '{}');

const store = new ConvexStore({ id: 'cross-client', deploymentUrl: opts.url, adminAuthToken: opts['admin-key'] });
const memory = await store.getStore('memory');
const workflows = await store.getStore('workflows');
const scores = await store.getStore('scores');

const withDates = (record) => {
  const out = { ...record };
  for (const key of ['createdAt', 'updatedAt']) if (typeof out[key] === 'string') out[key] = new Date(out[key]);
  return out;
};

async function write({ threads = [], messages = [], resources = [], workflowSnapshots = [], scores: scoreInputs = [] }) {
  const out = { threads: [], messages: [], resources: [], workflowSnapshots: [], scores: [] };
  for (const thread of threads) out.threads.push(await memory.saveThread({ thread: withDates(thread) }));
  if (messages.length) out.messages = (await memory.saveMessages({ messages: messages.map(withDates) })).messages;
  for (const resource of resources) out.resources.push(await memory.saveResource({ resource: withDates(resource) }));
  for (const run of workflowSnapshots) {
    await workflows.persistWorkflowSnapshot(withDates(run));
    out.workflowSnapshots.push({ workflowName: run.workflowName, runId: run.runId });
  }
  for (const score of scoreInputs) out.scores.push((await scores.saveScore(score)).score);
  return out;
}

async function read({ threadIds = [], resourceIds = [], runs = [], scoreIds = [], scorerIds = [] }) {
  const out = { threads: {}, messages: {}, resources: {}, workflowRuns: {}, workflowSnapshots: {}, scores: {}, scoresByScorer: {} };
  for (const threadId of threadIds) {
    out.threads[threadId] = await memory.getThreadById({ threadId });
    out.messages[threadId] = (await memory.listMessages({ threadId, perPage: false })).messages;
  }
  for (const resourceId of resourceIds) out.resources[resourceId] = await memory.getResourceById({ resourceId });
  for (const { workflowName, runId } of runs) {
    const key = `${workflowName}/${runId}`;
    out.workflowRuns[key] = await workflows.getWorkflowRunById({ workflowName, runId });
    out.workflowSnapshots[key] = await workflows.loadWorkflowSnapshot({ workflowName, runId });
  }
  for (const id of scoreIds) out.scores[id] = await scores.getScoreById({ id });
  for (const scorerId of scorerIds) {
    out.scoresByScorer[scorerId] = await scores.listScoresByScorerId({ scorerId, pagination: { page: 0, perPage: false } });
  }
  return out;
}

const BENCH = {
  listThreads: () => memory.listThreads({ page: 0, perPage: 20 }),
  listMessages: ({ threadId }) =>
    memory.listMessages({ threadId, page: 0, perPage: 40, orderBy: { field: 'createdAt', direction: 'DESC' } }),
  getResourceById: ({ resourceId }) => memory.getResourceById({ resourceId }),
  listWorkflowRuns: () => workflows.listWorkflowRuns({ page: 0, perPage: 20 }),
  listScoresByScorerId: ({ scorerId }) => scores.listScoresByScorerId({ scorerId, pagination: { page: 0, perPage: 20 } }),
};

async function bench({ operations = [], repeats = 5 }) {
  const results = {};
  for (const { op, ...params } of operations) {
    if (!BENCH[op]) throw new Error(`unknown bench operation ${op}; known: ${Object.keys(BENCH).join(', ')}`);
    const times = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await BENCH[op](params);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const mid = Math.floor(times.length / 2);
    results[op] = { medianMs: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2, repeats };
  }
  return results;
}

try {
  const result = await { write, read, bench }[command](spec);
  process.stdout.write(JSON.stringify(result));
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
