import { describe, expect, it } from 'vitest';
import { delegatedZones } from '../../src/config/sync-checks.js';
import { desiredRecords, unknownRecordNames } from '../../src/sync/desired-records.js';
import { regionStatusView, type HealthView } from '../../src/steering/region-status.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';

const NO_OVERRIDES = { weights: new Map<string, number>(), drains: new Map<string, unknown>() };

function records(doc: Record<string, any>, health: HealthView = { regionUp: () => true, endpointUp: () => true }) {
  const { config, model } = loadDocument(doc);
  const status = regionStatusView(model.regions, NO_OVERRIDES, health);
  return desiredRecords(model, status, config.sync!.cloudflare!, delegatedZones(config))
    .map((r) => `${r.name} ${r.type} ${r.content} ${r.ttl}${r.proxied ? ' proxied' : ''}`)
    .sort();
}

function docWith(cloudflare: Record<string, unknown>) {
  const doc = exampleDocument();
  doc.sync = { cloudflare: { zone_id: 'z', zone_name: 'example.com', owner_id: 'o', ...cloudflare } };
  return doc;
}

describe('desiredRecords', () => {
  it('per region: healthy addresses only; all of them when none of a family is healthy', () => {
    const doc = docWith({ names: [{ name: 'api.example.com', ttl: 120 }] });
    doc.regions.taiwan.endpoints.push({ name: 'tw-v4b', address: '198.51.100.11' });
    const out = records(doc, { regionUp: () => true, endpointUp: (_r, id) => id !== 'tw-v4' && id !== 'jp-v6' });
    expect(out.filter((r) => r.startsWith('taiwan.'))).toEqual(['taiwan.api.example.com A 198.51.100.11 120', 'taiwan.api.example.com AAAA 2001:db8:1::10 120']);
    expect(out.filter((r) => r.startsWith('tokyo.'))).toEqual(['tokyo.api.example.com A 198.51.100.30 120', 'tokyo.api.example.com AAAA 2001:db8:3::30 120']);
    expect(out.some((r) => r.startsWith('api.example.com'))).toBe(false);
  });

  it('failover record: the first usable tier of the default rule, a group as the union, a CNAME region alone', () => {
    const doc = docWith({ names: [{ name: 'api.example.com', per_region: false, failover_record: true, ttl: 1, proxied: true }] });
    expect(records(doc)).toEqual(['api.example.com A 198.51.100.10 1 proxied', 'api.example.com AAAA 2001:db8:1::10 1 proxied']);
    expect(records(doc, { regionUp: (r) => r !== 'taiwan', endpointUp: () => true })).toEqual(['api.example.com A 198.51.100.30 1 proxied', 'api.example.com AAAA 2001:db8:3::30 1 proxied']);
    doc.names[0].default = [{ group: { singapore: 1, tokyo: 1 } }];
    expect(records(doc).filter((r) => r.includes(' A '))).toEqual(['api.example.com A 198.51.100.20 1 proxied', 'api.example.com A 198.51.100.30 1 proxied']);
    doc.regions.singapore = { cname: 'sg-lb.example.net' };
    doc.names[0].default = ['singapore', 'tokyo'];
    expect(records(doc)).toEqual(['api.example.com CNAME sg-lb.example.net 1 proxied']);
  });

  it('delegation_ns: NS and glue of a geosteer zone below the Cloudflare zone', () => {
    const doc = docWith({ delegation_ns: true, names: [] });
    doc.zones.push({
      name: 'geo.example.com',
      soa: { mname: 'ns1.geo.example.com', rname: 'hostmaster.example.com' },
      ns: ['ns1.geo.example.com', 'ns.elsewhere.example.net'],
      records: [{ name: 'ns1', type: 'A', value: '192.0.2.53' }, { name: 'www', type: 'A', value: '192.0.2.80' }],
    });
    expect(records(doc)).toEqual([
      'geo.example.com NS ns.elsewhere.example.net 3600',
      'geo.example.com NS ns1.geo.example.com 3600',
      'ns1.geo.example.com A 192.0.2.53 3600',
    ]);
  });

  it('unknownRecordNames: per-region names of regions without any address yet', () => {
    const doc = docWith({ names: [{ name: 'api.example.com' }] });
    doc.regions.tokyo.endpoints = [];
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: 'k' } } } };
    const { config, model } = loadDocument(doc);
    expect(unknownRecordNames(model, config.sync!.cloudflare!)).toEqual(['tokyo.api.example.com']);
  });
});
