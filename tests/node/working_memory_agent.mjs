// Runs a real Mastra Agent (the pinned @mastra/core) with working memory on Mastra's own LibSQLStore,
// its model replaced by a scripted one (no network, no key) that calls the working-memory tool once
// per turn, so the versions are written by Mastra's own tool, Memory and message persistence.
//
//   node tests/node/working_memory_agent.mjs <file.db> < {scope, mode, resourceId, threadId, turns: [{user, memory}]}
//   node tests/node/working_memory_agent.mjs convex <deployment url> <admin key> < (the same)
//
// The first form uses Mastra's LibSQLStore on a SQLite file, the second its ConvexStore.
//
// scope: "resource" | "thread"; mode: "markdown" (a template) | "json" (a zod schema, merge semantics).
// Prints {workingMemory, messages} as the store holds them afterwards. Errors: stderr, exit code 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../convex/package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { LibSQLStore } = await load('@mastra/libsql');
const { Agent } = await load('@mastra/core/agent');
const { MockMemory } = await load('@mastra/core/memory');
const { z } = await load('zod');

// Mastra's logger writes to the console; stdout must hold only the JSON result.
const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.warn = console.debug = console.error;

const [file, convexUrl, adminKey] = process.argv.slice(2);
const spec = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => (data += chunk)).on('end', () => resolve(data));
}));

/** A LanguageModelV2 that answers each turn with one updateWorkingMemory call, then a short text. */
function scriptedModel(memories) {
  let turn = 0;
  const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
  return {
    specificationVersion: 'v2',
    provider: 'scripted',
    modelId: 'scripted',
    supportedUrls: {},
    async doGenerate(options) {
      const last = options.prompt[options.prompt.length - 1];
      if (last.role === 'tool') return { content: [{ type: 'text', text: 'Noted.' }], finishReason: 'stop', usage, warnings: [] };
      const memory = memories[turn++];
      const call = { type: 'tool-call', toolCallId: `call_${turn}`, toolName: 'updateWorkingMemory', input: JSON.stringify({ memory }) };
      return { content: [call], finishReason: 'tool-calls', usage, warnings: [] };
    },
    async doStream() {
      throw new Error('the scripted model only generates');
    },
  };
}

let storage;
if (file === 'convex') {
  const { ConvexStore } = await load('@mastra/convex');
  storage = new ConvexStore({ id: 'wm-agent', deploymentUrl: convexUrl, adminAuthToken: adminKey });
} else {
  storage = new LibSQLStore({ id: 'wm-agent', url: `file:${file}` });
  await storage.init();
}
const workingMemory = { enabled: true, scope: spec.scope };
if (spec.mode === 'json') workingMemory.schema = z.object({ name: z.string().optional(), city: z.string().optional(), pets: z.array(z.string()).optional() });
else workingMemory.template = '# User\n- Name:\n- City:\n';
const memory = new MockMemory({ storage, options: { workingMemory } });
const agent = new Agent({
  id: 'supportAgent',
  name: 'supportAgent',
  instructions: 'Keep the user profile up to date.',
  model: scriptedModel(spec.turns.map((t) => t.memory)),
  memory,
});
for (const turn of spec.turns) {
  await agent.generate(turn.user, { memory: { thread: spec.threadId, resource: spec.resourceId } });
}
const store = await storage.getStore('memory');
const thread = await store.getThreadById({ threadId: spec.threadId });
const resource = await store.getResourceById({ resourceId: spec.resourceId });
const { messages } = await store.listMessages({ threadId: spec.threadId, perPage: false });
const stored = spec.scope === 'thread' ? thread?.metadata?.workingMemory : resource?.workingMemory;
out(JSON.stringify({ workingMemory: stored ?? null, messages }));
