import { describe, expect, it } from 'vitest';
import { regionStatusView, ALL_UP } from '../../src/steering/region-status.js';
import { applyRegionChange, tierMoves, wouldStrandCountry, type RegionChange } from '../../src/steering/strand-check.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';

// The example: TW,HK,MO [taiwan, tokyo]; SG.. [group singapore:4 taiwan:6, tokyo];
// JP,KR [tokyo, taiwan]; NA [us-west, tokyo]; default [taiwan, tokyo].
const { model } = loadDocument(exampleDocument());
const healthy = regionStatusView(model.regions, { weights: new Map(), drains: new Map() }, ALL_UP);
const downUsWest = regionStatusView(model.regions, { weights: new Map(), drains: new Map() }, { regionUp: (r) => r !== 'us-west', endpointUp: () => true });

describe('wouldStrandCountry', () => {
  const cases: [string, typeof healthy, RegionChange, string | undefined][] = [
    ['drain tokyo strands JP,KR', healthy, { region: 'tokyo', drained: true }, 'countries JP,KR'],
    ['weight 0 on taiwan strands TW,HK,MO first', healthy, { region: 'taiwan', weight: 0 }, 'countries TW,HK,MO'],
    ['drain singapore: taiwan still in the group', healthy, { region: 'singapore', drained: true }, undefined],
    ['weight 50 strands nobody', healthy, { region: 'tokyo', weight: 50 }, undefined],
    ['undrain strands nobody', healthy, { region: 'tokyo', drained: false }, undefined],
    ['drain us-west strands NA', healthy, { region: 'us-west', drained: true }, 'continents NA'],
    ['us-west already down: draining it changes nothing', downUsWest, { region: 'us-west', drained: true }, undefined],
    ['unknown region strands nobody', healthy, { region: 'mars', drained: true }, undefined],
  ];
  for (const [label, status, change, rule] of cases) {
    it(label, () => {
      expect(wouldStrandCountry(model.policies, status, change)?.rule).toBe(rule);
    });
  }

  it('leaves the input view untouched', () => {
    const after = applyRegionChange(healthy, { region: 'tokyo', drained: true });
    expect(healthy.get('tokyo')!.drained).toBe(false);
    expect(after.get('tokyo')!.drained).toBe(true);
    expect(after.get('taiwan')).toBe(healthy.get('taiwan'));
  });
});

describe('tierMoves', () => {
  it('reports failover when a rule moves to a later tier and failback when it returns', () => {
    const drained = applyRegionChange(healthy, { region: 'tokyo', drained: true });
    expect(tierMoves(model.policies, healthy, drained)).toEqual([{ name: 'api.example.com', rule: 'countries JP,KR', from: ['tokyo'], to: ['taiwan'], failover: true }]);
    expect(tierMoves(model.policies, drained, healthy)).toEqual([{ name: 'api.example.com', rule: 'countries JP,KR', from: ['taiwan'], to: ['tokyo'], failover: false }]);
    expect(tierMoves(model.policies, healthy, applyRegionChange(healthy, { region: 'tokyo', weight: 10 }))).toEqual([]);
  });
});
