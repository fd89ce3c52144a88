// Functions the dev server serves as `devserver_test:*` only when started with --with-test-module.
// They let tests check visibility rules and error shapes without depending on any real module.
// The two dots in this file's name keep the Convex CLI from ever deploying it.
import { actionGeneric, internalMutationGeneric, internalQueryGeneric, queryGeneric } from 'convex/server';
import { ConvexError, v } from 'convex/values';

export const publicPing = queryGeneric({
  args: {},
  handler: async () => 'pong',
});

export const publicAction = actionGeneric({
  args: {},
  handler: async () => 'action-ran',
});

// Internal: the way `npx convex run` reaches it is POST /api/function with the admin key.
export const countThreads = internalQueryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query('mastra_threads').collect()).length,
});

// Internal and failing with structured data, like a compare-and-set that lost.
export const conflict = internalMutationGeneric({
  args: { current: v.string() },
  handler: async (_ctx, { current }) => {
    throw new ConvexError({ code: 'Conflict', current });
  },
});

// Test-only bulk load: inserts documents exactly as given (no upsert lookups, unlike Mastra's
// batchInsert), so tests and benchmarks can build large tables in seconds. At most 8,192 documents
// per call (Convex's array limit); keep each call well under 16 MiB.
export const insertMany = internalMutationGeneric({
  args: { table: v.string(), docs: v.array(v.any()) },
  handler: async (ctx, { table, docs }) => {
    for (const doc of docs) await ctx.db.insert(table, doc);
    return docs.length;
  },
});

// Convex's deploy-time analysis decides visibility by which marker property an export HAS
// (`isPublic` / `isInternal`), not by its value, and skips an export that has both. These two pin
// that rule, which is why Mastra's public handler cannot be made internal by changing a flag on it.
export const markedBoth = Object.assign(queryGeneric({ args: {}, handler: async () => 'ran' }), { isInternal: true });
export const publicFlagFalse = Object.assign(queryGeneric({ args: {}, handler: async () => 'ran' }), { isPublic: false });
