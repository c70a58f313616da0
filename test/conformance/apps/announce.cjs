// Shared by the conformance apps: prints the port once the server listens, after some garbage for the collector, so
// both sides have a garbage collection for the runtime metrics to report (a short run may have none otherwise).
module.exports = function announce(server) {
  const keep = [];
  for (let i = 0; i < 200_000; i++) keep.push({ i, s: `item-${i}` });
  keep.length = 0;
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ listening: address.port })}\n`);
};
