#!/usr/bin/env node
// The Node runtime's floor for a UDP server: receives each datagram and sends it straight
// back with the QR bit set, doing no DNS work at all. load/dns-bench.mjs --floor measures it
// beside geosteer, pinned to the same core, so what the runtime costs (libuv, dgram, V8)
// and what geosteer adds can be told apart in one run.
//   node load/udp-echo-floor.mjs PORT
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node load/udp-echo-floor.mjs PORT');
  process.exit(2);
}
// the same socket options as geosteer's UDP listener (src/dns/dgram-udp-listener.ts)
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, lookup: (address, family, cb) => cb(null, address, family) });
socket.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  msg[2] |= 0x80;
  socket.send(msg, rinfo.port, rinfo.address);
});
socket.on('error', (err) => console.error(err.message));
socket.bind(port, '127.0.0.1', () => console.log(`echo floor on 127.0.0.1:${port}`));
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
