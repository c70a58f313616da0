// Express hello world: the smallest route, where per-request overhead shows most.
const express = require('express');

const app = express();
app.get('/', (req, res) => res.send('Hello World!'));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
