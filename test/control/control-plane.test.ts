import { describe, expect, it } from 'vitest';
import { ControlPlane, type SnapshotChange } from '../../src/control/control-plane.js';
import type { ControlInputs } from '../../src/control/inputs.js';
import { MemoryEventLog, type EventLog } from '../../src/events/event-log.js';
import { silentLogger } from '../../src/shared/logger.js';
import { EMPTY_STATE } from '../../src/state/state-store.js';
import { ALL_UP, type HealthView } from '../../src/steering/region-status.js';
import { bundledGeo, exampleDocument, loadDocument } from '../support/test-server.js';

// The one owner of inputs -> snapshot: what a tick of updates costs and what it records.

async function control(events = new MemoryEventLog()): Promise<{ control: ControlPlane; events: EventLog; changes: SnapshotChange[] }> {
  const inputs: ControlInputs = { config: loadDocument(exampleDocument()), overrides: EMPTY_STATE, health: ALL_UP, endpoints: new Map(), geo: { db: await bundledGeo(), generation: 1 } };
  const c = new ControlPlane(inputs, { log: silentLogger(), events });
  const changes: SnapshotChange[] = [];
  c.subscribe((change) => changes.push(change));
  return { control: c, events, changes };
}

const down = (...regions: string[]): HealthView => ({ regionUp: (r) => !regions.includes(r), endpointUp: () => true });
const weights = (entries: [string, number][]) => ({ weights: new Map(entries), drains: new Map() });

describe('ControlPlane', () => {
  it('folds the updates of one tick into one compile, one swap and one notification', async () => {
    const { control: c, changes } = await control();
    const a = c.update({ health: down('tokyo') }, 'health');
    const b = c.update({ overrides: weights([['taiwan', 10]]) }, 'state store');
    const [sa, sb] = await Promise.all([a, b]);
    expect(sa).toBe(sb);
    expect(c.compiles).toBe(2); // the first one, and this one
    expect(changes).toHaveLength(1);
    expect(changes[0].reason).toBe('health; state store; weight taiwan configured -> 10');
    expect(sa.generation).toBe(2);
    expect(sa.status.get('tokyo')!.up).toBe(false);
    expect(sa.status.get('taiwan')!.weight).toBe(10);
  });

  it('an update that changes nothing answers depend on compiles nothing and tells nobody', async () => {
    const { control: c, changes } = await control();
    const before = c.current();
    // equal overrides in a new object (a store change that only touched observations)
    expect(await c.update({ overrides: { weights: new Map(), drains: new Map() } }, 'state store')).toBe(before);
    // a new health view that says the same
    const after = await c.update({ health: down() }, 'health quorum');
    expect(after.generation).toBe(1);
    expect(after.plans).toBe(before.plans);
    expect(after.inputs.health).not.toBe(before.inputs.health); // explain sees the new view's votes
    expect(c.compiles).toBe(1);
    expect(changes).toEqual([]);
  });

  it('records each transition once, in one shape, with its cause', async () => {
    const { control: c, events, changes } = await control();
    await c.update({ overrides: { weights: new Map(), drains: new Map([['tokyo', { reason: 'maintenance', by: 'ops', at: 1 }]]) } }, 'state store');
    expect(changes[0].transitions).toEqual([{ type: 'failover', name: 'api.example.com', rule: 'countries JP,KR', from: ['tokyo'], to: ['taiwan'], fromTier: 0, toTier: 1 }]);
    expect(events.list().map((e) => [e.type, e.name, e.cause, e.detail])).toEqual([
      ['failover', 'api.example.com', 'tokyo -> taiwan for countries JP,KR; state store; drain tokyo (by ops: maintenance)', { rule: 'countries JP,KR', from: ['tokyo'], to: ['taiwan'], from_tier: 0, to_tier: 1, generation: 2 }],
    ]);
  });

  it('draining the last region of first tiers: one fail_open_entered per rule that fails open, nothing else', async () => {
    const { control: c, events } = await control();
    await c.update({ health: down('taiwan', 'tokyo') }, 'health');
    expect(events.list().map((e) => `${e.type} ${e.detail?.rule}`).sort()).toEqual([
      'fail_open_entered countries JP,KR',
      'fail_open_entered countries TW,HK,MO',
      'fail_open_entered default',
      'failover countries SG,MY,PH,ID,TH,VN',
    ]);
  });

  it('without an event log (a DNS worker) it records nothing but still tells subscribers', async () => {
    const inputs: ControlInputs = { config: loadDocument(exampleDocument()), overrides: EMPTY_STATE, health: ALL_UP, endpoints: new Map(), geo: { db: await bundledGeo(), generation: 1 } };
    const c = new ControlPlane(inputs, { log: silentLogger() });
    const changes: SnapshotChange[] = [];
    c.subscribe((change) => changes.push(change));
    await c.update({ health: down('tokyo') }, 'update from the primary');
    expect(changes.map((ch) => ch.transitions.map((t) => t.rule))).toEqual([['countries JP,KR']]);
  });

  it('compiles each steered name only over the regions its rules use', async () => {
    const doc = exampleDocument();
    for (let i = 0; i < 1000; i++) doc.regions[`extra-${i}`] = { endpoints: [{ address: `10.${i >> 8}.${i & 255}.1` }] };
    const inputs: ControlInputs = { config: loadDocument(doc), overrides: EMPTY_STATE, health: ALL_UP, endpoints: new Map(), geo: { db: await bundledGeo(), generation: 1 } };
    const c = new ControlPlane(inputs, { log: silentLogger() });
    const plan = c.current().plans.get('api.example.com')!;
    expect([...plan.regions.keys()]).toEqual(['taiwan', 'tokyo', 'singapore', 'us-west']);
    const steered = [...c.current().serving.table.nodes.values()].find((n) => n.steered)!.steered!;
    expect(steered.regions.size).toBe(4);
  });
});
