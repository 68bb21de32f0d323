import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../load/hostile-packets.mjs';
import type { Prober } from '../../src/health/prober.js';
import { ask } from '../support/dns-client.js';
import { ManualClock } from '../support/manual-clock.js';
import { exampleDocument, startServer } from '../support/test-server.js';

// Issue 15 item 7: every region is down (answers fail open), then every region recovers, tokyo
// a little before taiwan. Taiwanese clients were failing open to taiwan, their first tier;
// they must stay on taiwan, not go taiwan -> tokyo -> taiwan because tokyo's hold-down ended
// first. The real service runs on a manual clock; the client asks real DNS after every timer.

const START = 1_700_000_000_000;
const HOLD_DOWN_MS = 5000;
const TAIWAN = '198.51.100.10';
const TOKYO = '198.51.100.30';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Checks fail for each region during [downAt[region], upAt[region]). */
function scripted(clock: ManualClock, downAt: Record<string, number>, upAt: Record<string, number>): Prober {
  return async (spec) => {
    const region = spec.path.slice(1); // each region's check URL path names it
    const now = clock.now();
    const ok = now < downAt[region] || now >= upAt[region];
    return ok ? { ok, detail: 'status 200' } : { ok, detail: 'status 503' };
  };
}

async function replay(upAt: Record<string, number>, client: string): Promise<{ at: number; answer: string }[]> {
  const doc = exampleDocument();
  doc.health = { interval: '1s', timeout: '500ms', rise: 2, fall: 2, jitter: 0.1, failback_hold_down: `${HOLD_DOWN_MS}ms` };
  for (const region of ['taiwan', 'singapore', 'tokyo', 'us-west']) doc.regions[region].health = { check: { url: `http://127.0.0.1:9/${region}` } };
  const clock = new ManualClock(START);
  // taiwan fails last, so its clients go straight into fail-open (on taiwan) when it does
  const downAt = { tokyo: START + 5000, singapore: START + 5000, 'us-west': START + 5000, taiwan: START + 9000 };
  const server = await startServer(doc, { prober: scripted(clock, downAt, upAt), clock: clock.now, healthNow: clock.now, healthTimers: clock, healthRandom: seededRandom(7) });
  cleanups.push(() => server.close());
  const answers: { at: number; answer: string }[] = [];
  const look = async (at: number) => {
    const answer = (await ask(server.port, { name: 'api.example.com', type: 'A', ecs: client })).answers.join(',');
    if (answers.at(-1)?.answer !== answer) answers.push({ at, answer });
  };
  await look(START);
  await clock.advanceTo(START + 40_000, { afterEach: look });
  expect(server.events.list({ type: 'fail_open_entered' }).map((e) => e.detail?.rule)).toContain('countries TW,HK,MO');
  return answers;
}

describe('leaving fail-open goes straight to what the policy wants', () => {
  it('Taiwanese clients stay on taiwan when tokyo recovers 1.5 s before it', async () => {
    const answers = await replay({ tokyo: START + 15_000, taiwan: START + 16_500, singapore: START + 15_000, 'us-west': START + 15_000 }, '1.34.5.0/24');
    expect(answers.map((a) => a.answer)).toEqual([TAIWAN]);
  });

  it('with taiwan still down when tokyo is back, they fail over to tokyo and come back after the hold-down', async () => {
    const answers = await replay({ tokyo: START + 15_000, taiwan: START + 25_000, singapore: START + 15_000, 'us-west': START + 15_000 }, '1.34.5.0/24');
    expect(answers.map((a) => a.answer)).toEqual([TAIWAN, TOKYO, TAIWAN]);
    // the same damping as ever for a region that takes traffic back:
    // tokyo took them only once its own hold-down was over; taiwan got them back a full hold-down after its recovery
    expect(answers[1].at).toBeGreaterThanOrEqual(START + 15_000 + HOLD_DOWN_MS);
    expect(answers[2].at).toBeGreaterThanOrEqual(START + 25_000 + HOLD_DOWN_MS);
  });
});
