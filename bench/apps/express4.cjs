// express 4 (still the most installed express) with a parameterised route: express 4 runs its own router, not the
// `router` package express 5 runs on. express 4 is the test workspace's (test/frameworks/express4).
const { join } = require('node:path');
const express = require(require.resolve('express', { paths: [join(__dirname, '..', '..', 'test', 'frameworks', 'express4')] }));
const { listen } = require('./orders.cjs');

const app = express();
app.get('/items/:id', (req, res) => res.json({ id: req.params.id }));
listen(app);
