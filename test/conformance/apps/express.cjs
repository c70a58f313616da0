// express, the major chosen by CONFORMANCE_EXPRESS_DIR (a folder whose node_modules hold it; default the root's 5):
// middleware, a parameterised route, a router mounted on a path, a handler that throws and an unmatched path.
const announce = require('./announce.cjs');

const from = process.env.CONFORMANCE_EXPRESS_DIR;
const express = require(from ? require.resolve('express', { paths: [from] }) : 'express');

const app = express();
app.use(express.json());
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
app.post('/users', (req, res) => res.status(201).json(req.body));
const api = express.Router();
api.get('/items/:item', (req, res) => res.json({ item: req.params.item }));
app.use('/api', api);
app.get('/boom', () => {
  throw new Error('boom');
});
app.use((err, req, res, _next) => res.status(500).send(err.message));
const server = app.listen(0, '127.0.0.1', () => announce(server));
