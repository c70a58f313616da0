// The middleware app (./middleware.cjs) on express 4, the copy the tests install in test/frameworks/express4: the
// cost of otelkit's capture of express 4 routes.
const { join } = require('node:path');
const { middlewareApp } = require('./middleware.cjs');
const { listen } = require('./orders.cjs');

listen(
  middlewareApp(require(require.resolve('express', { paths: [join(__dirname, '..', '..', 'test', 'frameworks', 'express4')] }))),
);
