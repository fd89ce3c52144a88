/**
 * The Mastra dashboard's own Convex module: paginated reads and conflict-safe working-memory saves
 * over the tables `@mastra/convex` already has.
 *
 * Deploy it next to Mastra's handler: copy this file to `convex/mastra/dashboard.ts` in the Convex
 * project that holds `convex/mastra/storage.ts` (and the `schema.ts` from the `@mastra/convex`
 * README), then run `npx convex deploy`. It imports only `convex/server` and `convex/values`, like
 * Mastra's own handler (`mutationGeneric`), so it needs no `_generated` directory, no schema change
 * and no new index. The dashboard finds it on its own (`mastra/dashboard:probe`) and falls back to
 * Mastra's standard handler when it is missing.
 *
 * Every function is INTERNAL (`internalQueryGeneric` / `internalMutationGeneric`): Convex runs it
 * only for callers holding an admin or deploy key. The dashboard calls it the way `npx convex run`
 * does, `POST /api/function` with `Authorization: Convex <key>`. Anonymous callers (and user JWTs)
 * get "Could not find function" on every endpoint, exactly as for a function that does not exist.
 *
 * Cost: every call reads O(page) documents, never O(table).
 * - Feeds use one `.paginate()` per call (Convex allows only one per function) over an existing
 *   index, newest first, with `maximumBytesRead` so a page of large documents (workflow snapshots,
 *   4 KB messages) stays far below Convex's 16 MiB read limit (the page is then shorter, never an
 *   error). Convex's `continueCursor` goes back to the caller untouched.
 * - Filters no index can answer (a thread title substring, a run status inside the snapshot JSON,
 *   a score's `source`, a date range on an index without dates) are applied here to a *window* of
 *   `window` documents read through the index. A window holds at most `window` matches; when it has
 *   more than the caller asked for, the reply keeps the window's start cursor and says how many of
 *   its matches were already returned (`skip`), so no match is lost and a page is never longer than
 *   `numItems`. Each call therefore reads at most `window` documents (and at most `WINDOW_BYTES`);
 *   the caller decides how many windows to scan for one page (`scanned` tells it what was read).
 * - Distinct workflow names / scorer ids skip along the index (`gt(field, last).first()`): one
 *   document read per distinct value, O(distinct), not O(rows).
 * - Counts page through a table and return only the number; the caller stops at its cap.
 *
 * Orders. Indexes sort by their fields, then `_creationTime`. So:
 * - threads (all): `by_updated` desc = most recently updated first; threads of one resource:
 *   `by_resource` desc = newest *created* first (the index has no time field);
 * - messages: `by_thread_created` desc = newest `createdAt` first; resources: `by_updated` desc;
 * - runs (all): `by_created` desc (a date range is an index range); runs of one workflow or one
 *   resource: `by_workflow` / `by_resource` desc = newest inserted first, which is `createdAt`
 *   order for everything Mastra writes (re-persisting a run patches it and keeps both);
 * - scores of a scorer / entity / run: `by_scorer` / `by_entity` / `by_run` desc = newest inserted
 *   first (Mastra sets `createdAt` at insert, so that is `createdAt` order; back-dated imports may
 *   sit elsewhere). With a date range the scan uses `by_created` (a real range, true `createdAt`
 *   order) and filters the scorer/entity/run in the window: cost grows with the share of other
 *   scorers' scores in that range, bounded by the window per call.
 *
 * Change feeds (version 2) walk an index in ascending order from a position the caller keeps and
 * read O(page) documents: a poll when nothing changed reads none. Messages follow
 * `by_creation_time`, the order they were first inserted (a re-saved message is patched in place
 * and keeps its `_creationTime`). Threads and resources follow `by_updated`. Every feed stops at
 * `Date.now() - settleMs`: a mutation stamps its documents while it runs and commits later, so a
 * document may become visible with a time older than one already handed out; waiting until a time
 * has settled means it is still ahead of the caller's position when it appears (see
 * storeclient/changes.py).
 *
 * Working-memory saves compare a version: `updatedAt` (as an ISO string with milliseconds and `Z`)
 * plus the first 32 hex characters of the SHA-256 of the UTF-8 working memory ("" when there is
 * none) — what the dashboard's Python `MemoryVersion` computes. `crypto.subtle.digest` is part of
 * the Web Crypto API that Convex's default runtime provides (docs: Functions > Runtimes).
 */
import { internalMutationGeneric, internalQueryGeneric } from 'convex/server';
import { v } from 'convex/values';

/** Bumped when an argument or reply shape changes; the dashboard checks it in `probe`. */
const MODULE_VERSION = 2;

const THREADS = 'mastra_threads';
const MESSAGES = 'mastra_messages';
const RESOURCES = 'mastra_resources';
const SNAPSHOTS = 'mastra_workflow_snapshots';
const SCORES = 'mastra_scorers';

/** Largest page a caller may ask for. */
const MAX_PAGE = 1000;
/** Largest filter window (documents read by one call of a filtered feed). */
const MAX_WINDOW = 1000;
/** Bytes one call may read before its page is cut short: half of Convex's 16 MiB. */
const WINDOW_BYTES = 8 * 1024 * 1024;
/** Distinct values returned by one call (the caller continues with `after`). */
const MAX_DISTINCT = 200;
/** Documents one count call reads. */
const MAX_COUNT_PAGE = 4096;

type Doc = Record<string, any>;
type Predicate = (doc: Doc) => boolean;

const pageArgs = {
  cursor: v.union(v.string(), v.null()),
  numItems: v.number(),
  skip: v.optional(v.number()),
  window: v.optional(v.number()),
};

const clamp = (value: number | undefined, low: number, high: number, fallback: number): number => {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : fallback;
  return Math.min(high, Math.max(low, n));
};

/** A stored document as Mastra's readers return it, without Convex's system fields. */
function clean(doc: Doc | null): Doc | null {
  if (doc === null) return null;
  const { _id, _creationTime, ...rest } = doc;
  return rest;
}

/**
 * One page of `query` (an index range, already ordered): without `keep`, exactly Convex's
 * paginate; with `keep`, the matches in a window of `window` documents starting at `cursor`,
 * skipping the `skip` matches an earlier call already returned (see the header).
 */
async function windowPage(
  query: any,
  args: { cursor: string | null; numItems: number; skip?: number; window?: number },
  keep?: Predicate,
) {
  const numItems = clamp(args.numItems, 1, MAX_PAGE, 25);
  const skip = keep ? clamp(args.skip, 0, MAX_WINDOW, 0) : 0;
  const window = keep ? clamp(args.window, numItems, MAX_WINDOW, numItems) : numItems;
  const result = await query.paginate({ numItems: window, cursor: args.cursor, maximumBytesRead: WINDOW_BYTES });
  const matches: Doc[] = keep ? result.page.filter(keep) : result.page;
  const rest = matches.slice(skip);
  if (rest.length > numItems) {
    return {
      page: rest.slice(0, numItems),
      continueCursor: args.cursor,
      skip: skip + numItems,
      isDone: false,
      scanned: result.page.length,
    };
  }
  return { page: rest, continueCursor: result.continueCursor, skip: 0, isDone: result.isDone, scanned: result.page.length };
}

const cleanPage = <T extends { page: Doc[] }>(result: T): T => ({ ...result, page: result.page.map(clean) });

/** Combines optional predicates; undefined when there is nothing to filter. */
function allOf(...predicates: (Predicate | false | undefined)[]): Predicate | undefined {
  const active = predicates.filter((p): p is Predicate => typeof p === 'function');
  return active.length ? (doc) => active.every((p) => p(doc)) : undefined;
}

const fieldIs = (field: string, value: unknown): Predicate | undefined =>
  value === undefined ? undefined : (doc) => doc[field] === value;

/** ISO strings with `Z` sort chronologically, so a date range is a string range. */
const createdIn = (from?: string, to?: string): Predicate | undefined =>
  from === undefined && to === undefined
    ? undefined
    : (doc) =>
        typeof doc.createdAt === 'string' &&
        (from === undefined || doc.createdAt >= from) &&
        (to === undefined || doc.createdAt <= to);

function createdRange(q: any, from?: string, to?: string): any {
  let range = q;
  if (from !== undefined) range = range.gte('createdAt', from);
  if (to !== undefined) range = range.lte('createdAt', to);
  return range;
}

/** A run's status lives inside its snapshot, a JSON string (an object in rows before 1.0.10). */
function runStatus(doc: Doc): string | null {
  let snapshot = doc.snapshot;
  if (typeof snapshot === 'string') {
    try {
      snapshot = JSON.parse(snapshot);
    } catch {
      return null;
    }
  }
  const status = snapshot && typeof snapshot === 'object' ? snapshot.status : undefined;
  return typeof status === 'string' ? status : null;
}

// --- prefix filters ---------------------------------------------------------------------------
//
// "user_d82" finds "user_d82c07": an index orders strings by their characters, so each case
// variant of the prefix is its own index range. Only the first MAX_VARIED_LETTERS ASCII letters
// are varied (at most 64 ranges); the window checks the whole prefix, ASCII case ignored. The
// ranges are disjoint and read one after another, last first (the lists run newest first), so a
// page reads O(window) documents plus at most one empty-range probe per variant. The cursor is
// this function's own: `{v: range number, c: Convex cursor within it}` as a string.

const MAX_VARIED_LETTERS = 6;
const isAsciiLetter = (ch: string) => /^[A-Za-z]$/.test(ch);
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/** The smallest string above every string that starts with `text`, or null when there is none. */
function after(text: string): string | null {
  const points = Array.from(text);
  let point = (points.pop() as string).codePointAt(0)! + 1;
  if (point >= 0xd800 && point < 0xe000) point = 0xe000;
  if (point > 0x10ffff) return null;
  return points.join('') + String.fromCodePoint(point);
}

/** `[low, high)` ranges of the prefix's case variants, last first. */
function prefixRanges(prefix: string): { low: string; high: string | null }[] {
  let letters = 0;
  let head = '';
  for (const ch of prefix) {
    head += ch;
    if (isAsciiLetter(ch) && ++letters === MAX_VARIED_LETTERS) break;
  }
  let variants = [''];
  for (const ch of head) {
    const options = isAsciiLetter(ch) ? [ch.toLowerCase(), ch.toUpperCase()] : [ch];
    variants = variants.flatMap((v) => options.map((o) => v + o));
  }
  // The variants differ only in ASCII letters, where every string order agrees.
  return [...new Set(variants)].sort().reverse().map((low) => ({ low, high: after(low) }));
}

const startsWithIgnoringCase = (field: string, prefix: string): Predicate => {
  const wanted = asciiLower(prefix);
  return (doc) => typeof doc[field] === 'string' && asciiLower(doc[field]).startsWith(wanted);
};

function prefixCursor(cursor: string | null): { v: number; c: string | null } {
  if (cursor === null) return { v: 0, c: null };
  let state: any;
  try {
    state = JSON.parse(cursor);
  } catch {
    state = null;
  }
  if (!state || typeof state.v !== 'number' || !(state.c === null || typeof state.c === 'string')) {
    throw new Error('That page link is not valid (bad prefix cursor); start from the first page.');
  }
  return state;
}

/**
 * One window of the documents of `table` whose `field` starts with `prefix` (ASCII case ignored)
 * and that pass `keep`, read through `index` (which leads with `field`), newest first within a value.
 */
async function prefixPage(
  ctx: any,
  table: string,
  index: string,
  field: string,
  prefix: string,
  args: { cursor: string | null; numItems: number; skip?: number; window?: number },
  keep?: Predicate,
) {
  const ranges = prefixRanges(prefix);
  const rangeOf = (i: number) => (q: any) => {
    const from = q.gte(field, ranges[i].low);
    return ranges[i].high === null ? from : from.lt(field, ranges[i].high);
  };
  const nextNonEmpty = async (from: number) => {
    let i = from;
    while (i < ranges.length && (await ctx.db.query(table).withIndex(index, rangeOf(i)).first()) === null) i++;
    return i;
  };
  const state = prefixCursor(args.cursor);
  const v = state.c === null ? await nextNonEmpty(state.v) : state.v;
  if (v >= ranges.length) return { page: [], continueCursor: JSON.stringify({ v, c: null }), skip: 0, isDone: true, scanned: 0 };
  const query = ctx.db.query(table).withIndex(index, rangeOf(v)).order('desc');
  const result = await windowPage(query, { ...args, cursor: state.c }, allOf(startsWithIgnoringCase(field, prefix), keep));
  if (!result.isDone) return { ...result, continueCursor: JSON.stringify({ v, c: result.continueCursor }) };
  const next = await nextNonEmpty(v + 1);
  return { ...result, continueCursor: JSON.stringify({ v: next, c: null }), skip: 0, isDone: next >= ranges.length };
}

// --- probe -----------------------------------------------------------------------------------

/** Cheap and read-free: tells the dashboard the module is deployed, and which version. */
export const probe = internalQueryGeneric({
  args: {},
  handler: async () => ({ module: 'mastra/dashboard', version: MODULE_VERSION }),
});

// --- threads, messages, resources ------------------------------------------------------------

/**
 * Threads, most recently updated first (`by_updated`), or one resource's threads newest created
 * first (`by_resource`). `titleContains` (case-insensitive) filters each window: one call reads at
 * most `window` threads (~0.5 KB each), and the caller bounds how many windows one page scans.
 */
export const threads = internalQueryGeneric({
  args: {
    ...pageArgs,
    resourceId: v.optional(v.string()),
    titleContains: v.optional(v.string()),
    resourcePrefix: v.optional(v.string()),
    idPrefix: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    if (args.idPrefix !== undefined || args.resourcePrefix !== undefined) {
      const needle = args.titleContains?.toLowerCase();
      const keep = allOf(
        fieldIs('resourceId', args.resourceId),
        needle !== undefined && ((doc: Doc) => typeof doc.title === 'string' && doc.title.toLowerCase().includes(needle)),
        args.idPrefix !== undefined && args.resourcePrefix !== undefined && startsWithIgnoringCase('resourceId', args.resourcePrefix),
      );
      const page =
        args.idPrefix !== undefined
          ? await prefixPage(ctx, THREADS, 'by_record_id', 'id', args.idPrefix, args, keep)
          : await prefixPage(ctx, THREADS, 'by_resource', 'resourceId', args.resourcePrefix as string, args, keep);
      return cleanPage(page);
    }
    const table = ctx.db.query(THREADS);
    const query =
      args.resourceId !== undefined
        ? table.withIndex('by_resource', (q: any) => q.eq('resourceId', args.resourceId)).order('desc')
        : table.withIndex('by_updated').order('desc');
    const needle = args.titleContains?.toLowerCase();
    const keep = needle ? (doc: Doc) => typeof doc.title === 'string' && doc.title.toLowerCase().includes(needle) : undefined;
    return cleanPage(await windowPage(query, args, keep));
  },
});

/** A message's place in `by_thread_created`: its `createdAt`, then `_creationTime` for ties. */
const anchorArg = v.object({ createdAt: v.any(), creationTime: v.number() });
type Anchor = { createdAt: unknown; creationTime: number };

const anchorOf = (doc: Doc): Anchor => ({ createdAt: doc.createdAt, creationTime: doc._creationTime });

/**
 * A thread's messages, newest `createdAt` first (`by_thread_created`). With `before`, only the
 * messages older than that place (a link to one message continues there, however many messages
 * arrive later): the range stops at its `createdAt` and the few ties at or after it are dropped.
 * The caller sends the same `before` with every page of that list.
 */
export const messages = internalQueryGeneric({
  args: { ...pageArgs, threadId: v.string(), before: v.optional(anchorArg) },
  handler: async (ctx, args) => {
    const anchor = args.before;
    const query = ctx.db
      .query(MESSAGES)
      .withIndex('by_thread_created', (q: any) =>
        anchor === undefined ? q.eq('thread_id', args.threadId) : q.eq('thread_id', args.threadId).lte('createdAt', anchor.createdAt),
      )
      .order('desc');
    const keep = anchor === undefined ? undefined : (doc: Doc) => !(doc.createdAt === anchor.createdAt && doc._creationTime >= anchor.creationTime);
    return cleanPage(await windowPage(query, { ...args, window: args.window ?? args.numItems + 8 }, keep));
  },
});

/**
 * The message `messageId` of `threadId` with up to `before` older and `after` newer messages, read
 * from `by_thread_created` on both sides of its place: O(before + after) documents.
 */
export const messageWindow = internalQueryGeneric({
  args: { threadId: v.string(), messageId: v.string(), before: v.number(), after: v.number() },
  handler: async (ctx, args) => {
    const target: Doc | null = await byRecordId(ctx, MESSAGES, args.messageId);
    if (target === null || target.thread_id !== args.threadId) return { found: false };
    const before = clamp(args.before, 0, MAX_PAGE, 20);
    const after = clamp(args.after, 0, MAX_PAGE, 20);
    const at = anchorOf(target);
    const inThread = (q: any) => q.eq('thread_id', args.threadId);
    const older: Doc[] = [];
    const olderQuery = ctx.db
      .query(MESSAGES)
      .withIndex('by_thread_created', (q: any) => inThread(q).lte('createdAt', at.createdAt))
      .order('desc');
    for await (const doc of olderQuery) {
      if (doc.createdAt === at.createdAt && doc._creationTime >= at.creationTime) continue;
      older.push(doc);
      if (older.length > before) break;
    }
    const newer: Doc[] = [];
    const newerQuery = ctx.db
      .query(MESSAGES)
      .withIndex('by_thread_created', (q: any) => inThread(q).gte('createdAt', at.createdAt))
      .order('asc');
    for await (const doc of newerQuery) {
      if (doc.createdAt === at.createdAt && doc._creationTime <= at.creationTime) continue;
      newer.push(doc);
      if (newer.length > after) break;
    }
    const shownOlder = older.slice(0, before);
    const oldest = shownOlder.length ? shownOlder[shownOlder.length - 1] : target;
    return {
      found: true,
      target: clean(target),
      older: shownOlder.map(clean),
      newer: newer.slice(0, after).map(clean),
      olderMore: older.length > before,
      newerMore: newer.length > after,
      oldest: anchorOf(oldest),
    };
  },
});

/** Resources, most recently updated first (`by_updated`). */
export const resources = internalQueryGeneric({
  args: { ...pageArgs, idPrefix: v.optional(v.string()) },
  handler: async (ctx, args) => {
    if (args.idPrefix !== undefined) return cleanPage(await prefixPage(ctx, RESOURCES, 'by_record_id', 'id', args.idPrefix, args));
    const query = ctx.db.query(RESOURCES).withIndex('by_updated').order('desc');
    return cleanPage(await windowPage(query, args));
  },
});

// --- change feeds (see the header) -----------------------------------------------------------

const settledArgs = { numItems: v.number(), settleMs: v.number() };

/** Reads `query` in order into a page of `numItems` (and at most `WINDOW_BYTES`), never ending a
 * page between two documents that share `tie(doc)`, and peeks one further to tell `hasMore`. */
async function settledPage(query: any, numItems: number, tie: (doc: Doc) => unknown) {
  const page: Doc[] = [];
  let bytes = 0;
  let hasMore = false;
  for await (const doc of query) {
    const full = page.length >= numItems || bytes >= WINDOW_BYTES;
    if (full && tie(doc) !== tie(page[page.length - 1])) {
      hasMore = true;
      break;
    }
    page.push(doc);
    bytes += JSON.stringify(doc).length;
  }
  return { page, hasMore };
}

/**
 * Documents of `table` in insertion order (`by_creation_time` ascending) after `afterTime`, up to
 * `Date.now() - settleMs`. `last` is the `_creationTime` to continue after (the caller's cursor).
 */
async function creationChanges(ctx: any, table: string, args: { numItems: number; settleMs: number; afterTime: number | null }) {
  const bound = Date.now() - Math.max(0, args.settleMs);
  const after = args.afterTime;
  const query = ctx.db
    .query(table)
    .withIndex('by_creation_time', (q: any) => (after === null ? q : q.gt('_creationTime', after)).lte('_creationTime', bound))
    .order('asc');
  const { page, hasMore } = await settledPage(query, clamp(args.numItems, 1, MAX_PAGE, 500), (doc) => doc._creationTime);
  return { page: page.map(clean), last: page.length ? page[page.length - 1]._creationTime : after, hasMore };
}

/** Messages in insertion order (a re-saved message is patched and keeps its place). */
export const messageChanges = internalQueryGeneric({
  args: { ...settledArgs, afterTime: v.union(v.number(), v.null()) },
  handler: async (ctx, args) => creationChanges(ctx, MESSAGES, args),
});

/** Scores in insertion order: Mastra inserts a score once and never patches it, so this feed is
 * every score exactly once (the dashboard's score aggregates are built from it). */
export const scoreChanges = internalQueryGeneric({
  args: { ...settledArgs, afterTime: v.union(v.number(), v.null()) },
  handler: async (ctx, args) => creationChanges(ctx, SCORES, args),
});

const updatedPosition = v.union(v.null(), v.object({ updatedAt: v.string(), creationTime: v.number() }));

/** `by_updated` ascending after a position `(updatedAt, _creationTime)`, up to the settled time. */
async function updatedChanges(ctx: any, table: string, args: { numItems: number; settleMs: number; after: any }) {
  const bound = new Date(Date.now() - Math.max(0, args.settleMs)).toISOString();
  const numItems = clamp(args.numItems, 1, MAX_PAGE, 200);
  const after: { updatedAt: string; creationTime: number } | null = args.after;
  const page: Doc[] = [];
  let hasMore = false;
  if (after !== null && after.updatedAt <= bound) {
    // The rest of the documents that share the position's `updatedAt` (ties, by `_creationTime`).
    const ties = ctx.db
      .query(table)
      .withIndex('by_updated', (q: any) => q.eq('updatedAt', after.updatedAt).gt('_creationTime', after.creationTime))
      .order('asc');
    const first = await settledPage(ties, numItems, (doc) => doc._creationTime);
    page.push(...first.page);
    hasMore = first.hasMore;
  }
  if (!hasMore && page.length < numItems) {
    const rest = ctx.db
      .query(table)
      .withIndex('by_updated', (q: any) => (after === null ? q.gte('updatedAt', '') : q.gt('updatedAt', after.updatedAt)).lte('updatedAt', bound))
      .order('asc');
    const second = await settledPage(rest, numItems - page.length, (doc) => doc._creationTime);
    page.push(...second.page);
    hasMore = second.hasMore;
  }
  const last = page.length ? page[page.length - 1] : null;
  return {
    page: page.map(clean),
    last: last === null ? after : { updatedAt: last.updatedAt, creationTime: last._creationTime },
    hasMore,
  };
}

/** Threads by `updatedAt` ascending (`by_updated`): each change to a thread brings it again. */
export const threadChanges = internalQueryGeneric({
  args: { ...settledArgs, after: updatedPosition },
  handler: async (ctx, args) => updatedChanges(ctx, THREADS, args),
});

/** Resources by `updatedAt` ascending (`by_updated`). */
export const resourceChanges = internalQueryGeneric({
  args: { ...settledArgs, after: updatedPosition },
  handler: async (ctx, args) => updatedChanges(ctx, RESOURCES, args),
});

/** Which of these thread ids exist: one `by_record_id` lookup each (at most `MAX_PAGE` ids). */
export const existingThreadIds = internalQueryGeneric({
  args: { ids: v.array(v.string()) },
  handler: async (ctx, args) => {
    if (args.ids.length > MAX_PAGE) throw new Error(`existingThreadIds: at most ${MAX_PAGE} ids per call`);
    const found = await Promise.all(args.ids.map((id: string) => byRecordId(ctx, THREADS, id)));
    return { ids: args.ids.filter((_: string, i: number) => found[i] !== null) };
  },
});

// --- workflow runs ---------------------------------------------------------------------------

const runFilterArgs = {
  workflowName: v.optional(v.string()),
  resourceId: v.optional(v.string()),
  fromDate: v.optional(v.string()),
  toDate: v.optional(v.string()),
};

type RunFilter = { workflowName?: string; resourceId?: string; fromDate?: string; toDate?: string };

/** The index range for a run filter, newest first, and what the window must still check. */
function runScan(ctx: any, args: RunFilter): { query: any; keep?: Predicate } {
  const table = ctx.db.query(SNAPSHOTS);
  if (args.workflowName !== undefined) {
    return {
      query: table.withIndex('by_workflow', (q: any) => q.eq('workflow_name', args.workflowName)).order('desc'),
      keep: allOf(fieldIs('resourceId', args.resourceId), createdIn(args.fromDate, args.toDate)),
    };
  }
  if (args.resourceId !== undefined) {
    return {
      query: table.withIndex('by_resource', (q: any) => q.eq('resourceId', args.resourceId)).order('desc'),
      keep: createdIn(args.fromDate, args.toDate),
    };
  }
  return { query: table.withIndex('by_created', (q: any) => createdRange(q, args.fromDate, args.toDate)).order('desc') };
}

type RunPrefixFilter = RunFilter & { workflowPrefix?: string; resourcePrefix?: string };

/** Runs whose workflow name (else resource id) starts with a prefix: `prefixPage` over
 * `by_workflow` (else `by_resource`), the other filters checked in the window. */
function runPrefixPage(
  ctx: any,
  filter: RunPrefixFilter,
  args: { cursor: string | null; numItems: number; skip?: number; window?: number },
  extra?: Predicate | false,
) {
  const keep = allOf(
    fieldIs('workflow_name', filter.workflowName),
    fieldIs('resourceId', filter.resourceId),
    createdIn(filter.fromDate, filter.toDate),
    extra,
    filter.workflowPrefix !== undefined &&
      filter.resourcePrefix !== undefined &&
      startsWithIgnoringCase('resourceId', filter.resourcePrefix),
  );
  return filter.workflowPrefix !== undefined
    ? prefixPage(ctx, SNAPSHOTS, 'by_workflow', 'workflow_name', filter.workflowPrefix, args, keep)
    : prefixPage(ctx, SNAPSHOTS, 'by_resource', 'resourceId', filter.resourcePrefix as string, args, keep);
}

/**
 * Workflow runs, newest first, optionally of one workflow and/or resource, in a date range, with
 * a status. The status is inside the snapshot JSON, which no index covers: every run in the window
 * is read whole (snapshots hold every step's input and output: often tens of KB, up to 1 MiB) and
 * parsed to find it. That is why a filtered call reads at most `window` runs and `WINDOW_BYTES`.
 */
export const runs = internalQueryGeneric({
  args: {
    ...pageArgs,
    ...runFilterArgs,
    status: v.optional(v.string()),
    workflowPrefix: v.optional(v.string()),
    resourcePrefix: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    const status = args.status;
    if (args.workflowPrefix !== undefined || args.resourcePrefix !== undefined) {
      const byStatus = status !== undefined && ((doc: Doc) => runStatus(doc) === status);
      return cleanPage(await runPrefixPage(ctx, args, args, byStatus));
    }
    const { query, keep } = runScan(ctx, args);
    return cleanPage(await windowPage(query, args, allOf(keep, status !== undefined && ((doc) => runStatus(doc) === status))));
  },
});

/**
 * Runs per status (`unknown` when the snapshot has none) in one window of up to `window` runs
 * under the filter; the caller adds windows up to its cap. Same snapshot-parsing cost as `runs`.
 */
export const runStatusCounts = internalQueryGeneric({
  args: {
    cursor: v.union(v.string(), v.null()),
    window: v.optional(v.number()),
    ...runFilterArgs,
    workflowPrefix: v.optional(v.string()),
    resourcePrefix: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    const window = clamp(args.window, 1, MAX_WINDOW, 200);
    if (args.workflowPrefix !== undefined || args.resourcePrefix !== undefined) {
      // A window of `window` runs of the prefix's ranges; every match in it is counted.
      const result = await runPrefixPage(ctx, args, { cursor: args.cursor, numItems: window, window });
      const counts: Record<string, number> = {};
      for (const doc of result.page) {
        const status = runStatus(doc) ?? 'unknown';
        counts[status] = (counts[status] ?? 0) + 1;
      }
      return { counts, continueCursor: result.continueCursor, isDone: result.isDone, scanned: result.scanned };
    }
    const { query, keep } = runScan(ctx, args);
    const result = await query.paginate({ numItems: window, cursor: args.cursor, maximumBytesRead: WINDOW_BYTES });
    const counts: Record<string, number> = {};
    for (const doc of result.page) {
      if (keep && !keep(doc)) continue;
      const status = runStatus(doc) ?? 'unknown';
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return { counts, continueCursor: result.continueCursor, isDone: result.isDone, scanned: result.page.length };
  },
});

// --- scores ----------------------------------------------------------------------------------

const scoreFilterArgs = {
  scorerId: v.optional(v.string()),
  entityId: v.optional(v.string()),
  entityType: v.optional(v.string()),
  runId: v.optional(v.string()),
  source: v.optional(v.string()),
  fromDate: v.optional(v.string()),
  toDate: v.optional(v.string()),
  entityPrefix: v.optional(v.string()),
};

type ScoreFilter = {
  entityPrefix?: string;
  scorerId?: string;
  entityId?: string;
  entityType?: string;
  runId?: string;
  source?: string;
  fromDate?: string;
  toDate?: string;
};

/**
 * Index choice for scores, newest first. A run id is the most selective; a date range needs
 * `by_created` (the only index with a date); then the scorer; then the entity; else all scores.
 */
function scoreScan(ctx: any, a: ScoreFilter): { query: any; keep?: Predicate } {
  const table = ctx.db.query(SCORES);
  const source = fieldIs('source', a.source);
  const scorer = fieldIs('scorerId', a.scorerId);
  const entity = allOf(
    fieldIs('entityId', a.entityId),
    fieldIs('entityType', a.entityType),
    a.entityPrefix !== undefined && startsWithIgnoringCase('entityId', a.entityPrefix),
  );
  const dates = createdIn(a.fromDate, a.toDate);
  if (a.runId !== undefined) {
    return {
      query: table.withIndex('by_run', (q: any) => q.eq('runId', a.runId)).order('desc'),
      keep: allOf(scorer, entity, source, dates),
    };
  }
  if (a.fromDate !== undefined || a.toDate !== undefined) {
    return {
      query: table.withIndex('by_created', (q: any) => createdRange(q, a.fromDate, a.toDate)).order('desc'),
      keep: allOf(scorer, entity, source),
    };
  }
  if (a.scorerId !== undefined) {
    return { query: table.withIndex('by_scorer', (q: any) => q.eq('scorerId', a.scorerId)).order('desc'), keep: allOf(entity, source) };
  }
  if (a.entityId !== undefined && a.entityType !== undefined) {
    return {
      query: table.withIndex('by_entity', (q: any) => q.eq('entityId', a.entityId).eq('entityType', a.entityType)).order('desc'),
      keep: allOf(source, entity),
    };
  }
  return { query: table.withIndex('by_created').order('desc'), keep: allOf(entity, source) };
}

/** Scores, newest first, by scorer / entity / run, with optional source and date range. */
export const scores = internalQueryGeneric({
  args: { ...pageArgs, ...scoreFilterArgs },
  handler: async (ctx, args) => {
    if (args.entityPrefix !== undefined) {
      const keep = allOf(
        fieldIs('scorerId', args.scorerId),
        fieldIs('entityId', args.entityId),
        fieldIs('entityType', args.entityType),
        fieldIs('runId', args.runId),
        fieldIs('source', args.source),
        createdIn(args.fromDate, args.toDate),
      );
      return cleanPage(await prefixPage(ctx, SCORES, 'by_entity', 'entityId', args.entityPrefix, args, keep));
    }
    const { query, keep } = scoreScan(ctx, args);
    return cleanPage(await windowPage(query, args, keep));
  },
});

/**
 * The same scan as `scores`, but each item is only `[createdAt, score]`: a chart of thousands of
 * points moves a few bytes per score instead of its input, output and prompts. (Convex still reads
 * whole documents; this saves the reply, not the read.)
 */
export const scoreSeries = internalQueryGeneric({
  args: { ...pageArgs, ...scoreFilterArgs },
  handler: async (ctx, args) => {
    const { query, keep } = scoreScan(ctx, args);
    const result = await windowPage(query, args, keep);
    return { ...result, page: result.page.map((doc: Doc) => [doc.createdAt ?? null, doc.score ?? null]) };
  },
});

// --- distinct values and counts --------------------------------------------------------------

/**
 * Skips along `index` on `field`: one `.first()` (one document read) per distinct value, so the
 * cost is O(distinct values), not O(rows). The schema makes `workflow_name` and `scorerId`
 * required strings, so every row has one.
 */
async function distinct(ctx: any, table: string, index: string, field: string, after: string | null) {
  const values: string[] = [];
  let last = after;
  let bytes = 0;
  while (values.length < MAX_DISTINCT && bytes < WINDOW_BYTES) {
    const from = last;
    const doc: Doc | null = await ctx.db
      .query(table)
      .withIndex(index, (q: any) => (from === null ? q : q.gt(field, from)))
      .first();
    if (doc === null) return { values, isDone: true };
    values.push(String(doc[field]));
    last = String(doc[field]);
    bytes += JSON.stringify(doc).length; // snapshots can be large: keep one call's reads bounded
  }
  return { values, isDone: false };
}

/** Distinct workflow names, ascending, from `after` on (`by_workflow`). */
export const workflowNames = internalQueryGeneric({
  args: { after: v.union(v.string(), v.null()) },
  handler: async (ctx, args) => distinct(ctx, SNAPSHOTS, 'by_workflow', 'workflow_name', args.after),
});

/** Distinct scorer ids, ascending, from `after` on (`by_scorer`). */
export const scorerIds = internalQueryGeneric({
  args: { after: v.union(v.string(), v.null()) },
  handler: async (ctx, args) => distinct(ctx, SCORES, 'by_scorer', 'scorerId', args.after),
});

const COUNTABLE: Record<string, string> = {
  threads: THREADS,
  messages: MESSAGES,
  resources: RESOURCES,
  runs: SNAPSHOTS,
  scores: SCORES,
};

/** Counts one page of a table (at most `numItems`, at most `WINDOW_BYTES`); returns no documents. */
export const count = internalQueryGeneric({
  args: { table: v.string(), cursor: v.union(v.string(), v.null()), numItems: v.number() },
  handler: async (ctx, args) => {
    const table = COUNTABLE[args.table];
    if (table === undefined) throw new Error(`count: unknown table ${args.table}; one of ${Object.keys(COUNTABLE).join(', ')}`);
    const numItems = clamp(args.numItems, 1, MAX_COUNT_PAGE, MAX_COUNT_PAGE);
    const result = await ctx.db.query(table).paginate({ numItems, cursor: args.cursor, maximumBytesRead: WINDOW_BYTES });
    return { counted: result.page.length, continueCursor: result.continueCursor, isDone: result.isDone };
  },
});

// --- conflict-safe working-memory saves ------------------------------------------------------

const expectedVersion = v.union(v.null(), v.object({ updatedAt: v.string(), contentHash: v.string() }));

/** Stored timestamps as `Date.toISOString()` gives them (Mastra's format), whatever they were. */
function isoOf(value: unknown): string {
  let input = value;
  // A zone-less ISO string is UTC for Mastra (and for the dashboard), not local time.
  if (typeof input === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(input)) input = `${input}Z`;
  if (typeof input === 'string' || typeof input === 'number') {
    const date = new Date(input);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return '1970-01-01T00:00:00.000Z';
}

async function contentHash(text: string | null): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text ?? ''));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 32);
}

/** Working memory as text: Mastra stores a string; anything else is shown as its JSON. */
const asText = (value: unknown): string | null =>
  typeof value === 'string' ? value : value === undefined || value === null ? null : JSON.stringify(value);

/** Metadata as an object; legacy rows hold a JSON string. `null` when it is not an object. */
function metadataOf(value: unknown): Doc | null {
  if (value === undefined || value === null) return {};
  let parsed = value;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return null;
    }
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Doc) : null;
}

async function versionMatches(
  stored: { updatedAt: unknown; workingMemory: string | null } | null,
  expected: { updatedAt: string; contentHash: string } | null,
): Promise<boolean> {
  if (expected === null) return stored === null || !stored.workingMemory;
  if (stored === null) return false;
  return isoOf(stored.updatedAt) === expected.updatedAt && (await contentHash(stored.workingMemory)) === expected.contentHash;
}

const byRecordId = (ctx: any, table: string, id: string) =>
  ctx.db.query(table).withIndex('by_record_id', (q: any) => q.eq('id', id)).first();

/**
 * Sets a resource's working memory if its stored version is `expected` (`null`: the resource must
 * not exist, or have no working memory; it is then created with empty metadata). On a mismatch
 * nothing is written and the reply carries the current document. Metadata is kept.
 */
export const saveResourceWorkingMemory = internalMutationGeneric({
  args: { resourceId: v.string(), workingMemory: v.string(), expected: expectedVersion },
  handler: async (ctx, args) => {
    const doc: Doc | null = await byRecordId(ctx, RESOURCES, args.resourceId);
    const stored = doc && { updatedAt: doc.updatedAt, workingMemory: asText(doc.workingMemory) };
    if (!(await versionMatches(stored, args.expected))) return { ok: false, conflict: true, current: clean(doc) };
    const now = new Date().toISOString();
    if (doc === null) {
      const created = { id: args.resourceId, workingMemory: args.workingMemory, metadata: {}, createdAt: now, updatedAt: now };
      await ctx.db.insert(RESOURCES, created);
      return { ok: true, doc: created };
    }
    await ctx.db.patch(doc._id, { workingMemory: args.workingMemory, updatedAt: now });
    return { ok: true, doc: clean({ ...doc, workingMemory: args.workingMemory, updatedAt: now }) };
  },
});

/**
 * Sets `metadata.workingMemory` of a thread if its stored version is `expected` (`null`: the thread
 * has no working memory yet). Title and the other metadata keys are kept; a missing thread is
 * `{ok: false, notFound: true}`.
 */
export const saveThreadWorkingMemory = internalMutationGeneric({
  args: { threadId: v.string(), workingMemory: v.string(), expected: expectedVersion },
  handler: async (ctx, args) => {
    const doc: Doc | null = await byRecordId(ctx, THREADS, args.threadId);
    if (doc === null) return { ok: false, notFound: true, current: null };
    const metadata = metadataOf(doc.metadata);
    // Like the dashboard's `Thread.working_memory`: only a string counts as working memory.
    const wm = metadata?.workingMemory;
    const stored = { updatedAt: doc.updatedAt, workingMemory: typeof wm === 'string' ? wm : null };
    if (!(await versionMatches(stored, args.expected))) return { ok: false, conflict: true, current: clean(doc) };
    if (metadata === null) {
      return { ok: false, error: `thread ${args.threadId} has metadata that is not a JSON object; it was left unchanged` };
    }
    const now = new Date().toISOString();
    const patch = { metadata: { ...metadata, workingMemory: args.workingMemory }, updatedAt: now };
    await ctx.db.patch(doc._id, patch);
    return { ok: true, doc: clean({ ...doc, ...patch }) };
  },
});
