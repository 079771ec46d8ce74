// Upstream API for the request/response bench: answers GET with a small JSON order.
// Started by bench/run.mjs with an IPC channel; reports its port and exits with the parent.
import http from 'node:http';

const ORDER = Buffer.from(JSON.stringify({ id: '1', status: 'placed', items: [1, 2, 3] }));
let served = 0;

const server = http.createServer((req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-length': 0 });
    res.end();
    return;
  }
  served++;
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': ORDER.length });
  res.end(ORDER);
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ served });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
