import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../load/hostile-packets.mjs';
import { ask } from '../support/dns-client.js';
import { exampleDocument, startServer } from '../support/test-server.js';

// explain walks the same answer plan with the same calls as the hot path: given the same
// random stream, it names the region and the rotation every query gets.

describe('explain == DNS', () => {
  it('over 200 queries: the same region, rotation and addresses, and the same ECS scope', async () => {
    const doc = exampleDocument();
    // singapore has three addresses and answers one at a time: rotations; SG clients pick by weight
    doc.regions.singapore.endpoints = ['20', '21', '22'].map((n) => ({ name: `sg-${n}`, address: `198.51.100.${n}` }));
    doc.names[0].max_answers = 1;
    const server = await startServer(doc, { rand: seededRandom(42), explainRand: seededRandom(42) });
    try {
      const SG = '203.116.0.0/24';
      const dns: string[] = [];
      const explained: string[] = [];
      for (let i = 0; i < 200; i++) {
        const reply = await ask(server.port, { name: 'api.example.com', type: 'A', ecs: SG });
        dns.push(`${reply.answers.join(',')} /${reply.ecs?.scopePrefixLength}`);
        const t = server.service.explain('api.example.com', SG, 'A');
        explained.push(`${t.answer.addresses.join(',')} /${t.client.scope}`);
      }
      expect(explained).toEqual(dns);
      // and the stream was not trivial: both regions and every singapore rotation were answered
      expect(new Set(dns)).toEqual(new Set(['198.51.100.10 /17', '198.51.100.20 /17', '198.51.100.21 /17', '198.51.100.22 /17']));
    } finally {
      await server.close();
    }
  });

  it('for a CNAME chain, a steered wildcard and a wildcard CNAME: the policy DNS steers by, and how the name reaches it', async () => {
    const doc = exampleDocument();
    doc.zones[0].records.push({ name: 'chain', type: 'CNAME', value: 'www.example.com.' }, { name: '*.tenants', type: 'CNAME', value: 'api.example.com.' });
    doc.names.push({ name: '*.edge.example.com', rules: [{ countries: ['JP'], tiers: ['tokyo'] }], default: ['us-west'] });
    const server = await startServer(doc);
    try {
      const cases = [
        ['chain.example.com', 'api.example.com', 'chain.example.com CNAME chain to api.example.com'],
        ['a.tenants.example.com', 'api.example.com', 'a.tenants.example.com matches *.tenants.example.com, CNAME chain to api.example.com'],
        ['x.y.edge.example.com', '*.edge.example.com', 'x.y.edge.example.com matches *.edge.example.com'],
        ['api.example.com', 'api.example.com', undefined],
      ] as const;
      for (const [asked, steeredName, via] of cases) {
        for (const client of ['202.32.0.0/24', '1.34.5.0/24', '8.8.8.0/24']) {
          const reply = await ask(server.port, { name: asked, type: 'A', ecs: client });
          const t = server.service.explain(asked, client, 'A');
          expect([t.name, t.via]).toEqual([steeredName, via]);
          expect(t.answer.addresses).toHaveLength(1);
          // the chain's CNAMEs come first; the addresses after them are the steered answer
          expect(reply.answers.filter((a) => /^\d/.test(a))).toEqual(t.answer.addresses);
          expect(reply.ecs?.scopePrefixLength).toBe(t.client.scope);
        }
      }
      expect(() => server.service.explain('nope.example.com', '8.8.8.0/24', 'A')).toThrow(/nope\.example\.com is not steered/);
    } finally {
      await server.close();
    }
  });
});
