// graphql executed while handling a request: a query with a nested field, and one whose resolver throws.
const http = require('node:http');
const { buildSchema, graphql } = require('graphql');
const announce = require('./announce.cjs');

const schema = buildSchema(`
  type Item { id: ID!, name: String }
  type Query { item(id: ID!): Item, broken: String }
`);
const rootValue = {
  item: ({ id }) => ({ id, name: `item ${id}` }),
  broken: () => {
    throw new Error('resolver failed');
  },
};
const QUERIES = {
  '/item': '{ item(id: "7") { id name } }',
  '/broken': 'query Broken { broken }',
};

const server = http.createServer((req, res) => {
  const source = QUERIES[req.url];
  if (!source) return void res.writeHead(404).end();
  graphql({ schema, source, rootValue }).then((result) => res.end(JSON.stringify(result)));
});
server.listen(0, '127.0.0.1', () => announce(server));
