/**
 * Mastra's storage handler as an INTERNAL mutation: the recommended `convex/mastra/storage.ts`.
 *
 * To use it, copy this file over `convex/mastra/storage.ts` (same path, so the function stays
 * `mastra/storage:handle`, where Mastra's `ConvexStore` and the dashboard look for it) and run
 * `npx convex deploy`. Here it is only a template: its name has two dots, which the Convex CLI
 * skips when it collects functions, so deploying this folder never registers it twice.
 *
 * Why: `mastraStorage` from `@mastra/convex/server` is built with `mutationGeneric`, i.e. a PUBLIC
 * mutation, and it never looks at `ctx.auth`. Anyone who knows the deployment URL can then read
 * and overwrite every Mastra record without a key. Convex only lets admin/deploy-key callers run an
 * internal function (anonymous and user callers get the same "Could not find public function"
 * answer as for a function that does not exist), and Mastra's `ConvexStore` always sends its
 * `adminAuthToken` as `Authorization: Convex <key>`, so it keeps working.
 *
 * How: the package exports only the registered public mutation, not its handler. Convex decides a
 * function's visibility at deploy time from which marker property the exported object carries
 * (`isPublic` or `isInternal`; an object with both is skipped), so the exported object must be a
 * fresh `internalMutationGeneric(...)`, not a copy of `mastraStorage` with a flag changed. The
 * handler it wraps is the `_handler` every Convex registration function stores on the object it
 * returns (the deployment reads it too); it is marked @internal in Convex's types, hence the cast,
 * and checked at import time so a package that stops providing it fails the deploy instead of
 * deploying a broken handler.
 */
import {
  internalMutationGeneric,
  type GenericDataModel,
  type GenericMutationCtx,
  type RegisteredMutation,
} from 'convex/server';
import { mastraStorage } from '@mastra/convex/server';

// The request and response types of Mastra's handler, taken from its registration (the package
// does not export them by name).
type Public = typeof mastraStorage;
type StorageRequest = Public extends RegisteredMutation<'public', infer Args, unknown> ? Args : never;
type StorageResponse = Public extends RegisteredMutation<'public', never, infer Returns> ? Returns : never;
type StorageHandler = (ctx: GenericMutationCtx<GenericDataModel>, request: StorageRequest) => StorageResponse;

const handler = (mastraStorage as unknown as { _handler?: StorageHandler })._handler;
if (typeof handler !== 'function') {
  throw new Error('@mastra/convex/server: mastraStorage has no _handler; update convex/mastra/storage.ts');
}

export const handle = internalMutationGeneric(handler);
