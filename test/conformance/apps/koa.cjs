// koa with @koa/router: a middleware, a parameterised route, a nested router, a handler that throws, an unmatched path.
const Koa = require('koa');
const Router = require('@koa/router');
const announce = require('./announce.cjs');

const app = new Koa();
const router = new Router();
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    ctx.status = 500;
    ctx.body = err.message;
  }
});
router.get('/users/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});
router.post('/users', (ctx) => {
  ctx.status = 201;
  ctx.body = {};
});
const api = new Router();
api.get('/items/:item', (ctx) => {
  ctx.body = { item: ctx.params.item };
});
router.use('/api', api.routes());
router.get('/boom', () => {
  throw new Error('boom');
});
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => announce(server));
