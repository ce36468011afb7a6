import Router from '@koa/router';
import { createHub } from '@sse/core';
import Koa from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { sse } from '../src/index.js';

// Checked by `pnpm typecheck`: the documented usage compiles without type arguments (ctx is
// Koa's default context: state, query, params), and type arguments pin the state's type.
describe('types', () => {
  it("types the resolver's ctx as a Koa context, on a router and on an app", () => {
    const hub = createHub();
    const router = new Router<{ user?: { id: string } }>();
    router.get(
      '/events',
      sse(hub, {
        resolve: (ctx) => (ctx.state.user ? { user: ctx.state.user.id, rooms: ['lobby'] } : null),
      }),
    );
    router.get(
      '/typed',
      sse<{ user?: { id: string } }>(hub, {
        resolve: (ctx) => {
          expectTypeOf(ctx.state.user).toEqualTypeOf<{ id: string } | undefined>();
          return ctx.state.user ? { user: ctx.state.user.id } : false;
        },
      }),
    );
    const app = new Koa();
    app.use(
      sse(hub, { resolve: (ctx) => (ctx.query.user ? { user: String(ctx.query.user) } : false) }),
    );
    app.use(router.routes());
    expect(router.stack).toHaveLength(2);
  });
});
