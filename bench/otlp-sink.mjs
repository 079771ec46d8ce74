// A loopback OTLP/HTTP receiver for the tracing-on runs of the bench: takes POST /v1/traces
// (protobuf or JSON), answers 200, counts requests and bytes. Started by bench/run.mjs with an
// IPC channel; reports its port and exits with the parent.
import http from 'node:http';

let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') requests++;
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' });
    res.end();
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ requests, bytes });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
