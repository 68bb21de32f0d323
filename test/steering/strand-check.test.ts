import { describe, expect, it } from 'vitest';
import { regionStatusView, ALL_UP } from '../../src/steering/region-status.js';
import { compileAnswerPlan } from '../../src/steering/answer-plan.js';
import { applyRegionChange, wouldStrandCountry, type RegionChange } from '../../src/steering/strand-check.js';
import type { RegionStatusView } from '../../src/steering/types.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';

// The example: TW,HK,MO [taiwan, tokyo]; SG.. [group singapore:4 taiwan:6, tokyo];
// JP,KR [tokyo, taiwan]; NA [us-west, tokyo]; default [taiwan, tokyo].
const { model } = loadDocument(exampleDocument());
const healthy = regionStatusView(model.regions, { weights: new Map(), drains: new Map() }, ALL_UP);
const downUsWest = regionStatusView(model.regions, { weights: new Map(), drains: new Map() }, { regionUp: (r) => r !== 'us-west', endpointUp: () => true });

const plans = (status: RegionStatusView) => model.policies.map((p) => compileAnswerPlan(p, model.regions, status));

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
      expect(wouldStrandCountry(plans(status), status, change)?.rule).toBe(rule);
    });
  }

  it('leaves the input view untouched', () => {
    const after = applyRegionChange(healthy, { region: 'tokyo', drained: true });
    expect(healthy.get('tokyo')!.drained).toBe(false);
    expect(after.get('tokyo')!.drained).toBe(true);
    expect(after.get('taiwan')).toBe(healthy.get('taiwan'));
  });
});
