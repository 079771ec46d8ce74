// Ceiling for the bench: the least a Node HTTP server can do for a JSON webhook —
// read the body, JSON.parse it, answer 200 {"ok":true}. Started by bench/run.mjs
// with an IPC channel; it reports its port over IPC and exits when the parent goes.
import http from 'node:http';

const OK = Buffer.from('{"ok":true}');
const BAD = Buffer.from('{"ok":false}');

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = OK;
    let status = 200;
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      status = 400;
      body = BAD;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
