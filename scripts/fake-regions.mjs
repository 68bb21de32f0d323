#!/usr/bin/env node
// Fake region health endpoints for trying failover with config/geosteer.failover-demo.yaml.
// Serves GET /healthz on 127.0.0.1 ports 18081 (taiwan), 18082 (singapore), 18083 (tokyo)
// and 18084 (us-west): 200 "ok" while healthy, 503 while failed.
//
//   node scripts/fake-regions.mjs                 # all four regions healthy
//   node scripts/fake-regions.mjs taiwan tokyo    # only these regions
//   curl -X POST 127.0.0.1:18081/fail             # taiwan starts failing its checks
//   curl -X POST 127.0.0.1:18081/recover          # and passes them again
//   Ctrl-C (SIGINT) or SIGTERM stops every server (the regions' checks then fail to connect).
//
// Plain JavaScript so it runs with node alone, before any build. Loopback only.
import http from 'node:http';

const PORTS = { taiwan: 18081, singapore: 18082, tokyo: 18083, 'us-west': 18084 };
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in PORTS)) {
    process.stderr.write(`fake-regions: unknown region ${JSON.stringify(name)}; known: ${Object.keys(PORTS).join(', ')}\n`);
    process.exit(2);
  }
}

const servers = [];
for (const [region, port] of Object.entries(PORTS)) {
  if (wanted.length > 0 && !wanted.includes(region)) continue;
  let healthy = true;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && (path === '/fail' || path === '/recover')) {
      healthy = path === '/recover';
      process.stdout.write(`${new Date().toISOString()} ${region}: ${healthy ? 'recovered' : 'failing'}\n`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${region} ${healthy ? 'healthy' : 'failing'}\n`);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'failing\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('try GET /healthz, POST /fail, POST /recover\n');
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`${region}: http://127.0.0.1:${port}/healthz\n`));
  servers.push(server);
}

const stop = () => {
  for (const s of servers) s.close();
  for (const s of servers) s.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
