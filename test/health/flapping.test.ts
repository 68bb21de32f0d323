import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../load/hostile-packets.mjs';
import type { Observation } from '../../src/health/endpoint-state.js';
import { probe as realProbe, type Prober } from '../../src/health/prober.js';
import { ask } from '../support/dns-client.js';
import { startHealthServer } from '../support/health-servers.js';
import { ManualClock } from '../support/manual-clock.js';
import { exampleDocument, startServer } from '../support/test-server.js';

// Issue 15 item 6: taiwan fails and recovers every 700 ms for 20 s, checked every 1 s
// (+/- 10% jitter, rise 2, fall 2) with a 5 s failback hold-down. The real monitor, tracker
// and App run on a manual clock; a Taiwanese client asks the real DNS server after every
// timer that fires, so the answers below are every answer such a client could have seen.

const START = 1_700_000_000_000;
const INTERVAL_MS = 1000;
const HOLD_DOWN_MS = 5000;
const RISE = 2;
const FALL = 2;
const FLAP_MS = 700;
const FLAPPING_FOR_MS = 20_000;
const RUN_MS = 60_000;
const TAIWAN = '198.51.100.10';
const TOKYO = '198.51.100.30';
const TW_CLIENT = '1.34.5.0/24';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** True while the script has taiwan failing: the even 700 ms slots of the flapping window. */
function failingAt(t: number, flapStart: number): boolean {
  return t >= flapStart && t < flapStart + FLAPPING_FOR_MS && Math.floor((t - flapStart) / FLAP_MS) % 2 === 0;
}

interface Check {
  readonly at: number;
  readonly ok: boolean;
}

function lastFailureIndex(checks: readonly Check[]): number {
  for (let i = checks.length - 1; i >= 0; i--) if (!checks[i].ok) return i;
  throw new Error('the script never failed a check');
}

/** What the rules say clients see, from the checks that ran: failover on the fall-th failure in a row, failback a full hold-down after the rise-th success following the last failure. */
function expectedAnswers(checks: readonly Check[]): { at: number; answer: string }[] {
  let streak = 0;
  const failover = checks.find((c) => (streak = c.ok ? 0 : streak + 1) === FALL)!;
  const lastFailure = lastFailureIndex(checks);
  const risen = checks[lastFailure + RISE];
  return [
    { at: START, answer: TAIWAN },
    { at: failover.at, answer: TOKYO },
    { at: risen.at + HOLD_DOWN_MS, answer: TAIWAN },
  ];
}

/**
 * Runs the flapping script once: geosteer with a check on taiwan only, a monitor on `clock`,
 * `prober` answering the check. Returns every change of the Taiwanese client's answer.
 */
async function replay(opts: { seed: number; flapStart: number; prober: (clock: ManualClock) => Prober; settle?: () => Promise<void>; url?: string }): Promise<{ at: number; answer: string }[]> {
  const doc = exampleDocument();
  doc.health = { interval: `${INTERVAL_MS}ms`, timeout: '500ms', rise: RISE, fall: FALL, jitter: 0.1, failback_hold_down: `${HOLD_DOWN_MS}ms` };
  doc.regions.taiwan.health = { check: { url: opts.url ?? 'http://127.0.0.1:9/healthz' } };
  const clock = new ManualClock(START);
  // the production wiring; its health checks run on the manual clock with the scripted prober
  const server = await startServer(doc, { prober: opts.prober(clock), healthNow: clock.now, healthTimers: clock, healthRandom: seededRandom(opts.seed) });
  cleanups.push(() => server.close());
  const answers: { at: number; answer: string }[] = [];
  const look = async (at: number) => {
    const r = await ask(server.port, { name: 'api.example.com', type: 'A', ecs: TW_CLIENT });
    const answer = r.answers.join(',');
    if (answers.at(-1)?.answer !== answer) answers.push({ at, answer });
  };
  await look(START);
  await clock.advanceTo(START + RUN_MS, { settle: opts.settle, afterEach: look });
  return answers;
}

/** A prober that answers from the script at the clock's time, and keeps the results. */
function scriptedProber(flapStart: number, checks: Check[]): (clock: ManualClock) => Prober {
  return (clock) => async (): Promise<Observation> => {
    const ok = !failingAt(clock.now(), flapStart);
    checks.push({ at: clock.now(), ok });
    return ok ? { ok, detail: 'status 200' } : { ok, detail: 'status 503' };
  };
}

describe('a flapping primary is damped (fail/recover every 700 ms for 20 s, hold-down 5 s)', () => {
  // Eight runs: the flapping starts at eight phases of the 1.4 s fail/recover period, each
  // with its own jitter sequence, so the checks sample the script differently every time.
  const runs = Array.from({ length: 8 }, (_, i) => ({ seed: 1000 + i, flapStart: START + 10_000 + i * 175 }));
  for (const run of runs) {
    it(`run ${run.seed - 999}: one failover, one failback a full quiet hold-down after the flapping stops`, async () => {
      const checks: Check[] = [];
      const answers = await replay({ ...run, prober: scriptedProber(run.flapStart, checks) });
      expect(answers).toEqual(expectedAnswers(checks));
      // taiwan never answered while its latest check had failed
      const lastFailure = checks[lastFailureIndex(checks)];
      expect(lastFailure.at).toBeLessThan(run.flapStart + FLAPPING_FOR_MS);
      expect(answers[2].at).toBeGreaterThan(lastFailure.at + HOLD_DOWN_MS);
    });
  }

  it('through real HTTP checks against a real health endpoint', async () => {
    const target = await startHealthServer();
    cleanups.push(() => target.close());
    const run = runs[5];
    const checks: Check[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const prober = (clock: ManualClock): Prober => (spec) => {
      // the target answers what the script says for this instant; the real prober asks it over HTTP
      const ok = !failingAt(clock.now(), run.flapStart);
      target.status = ok ? 200 : 503;
      const p = realProbe(spec).then((obs) => {
        checks.push({ at: clock.now(), ok: obs.ok });
        return obs;
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    };
    const settle = async () => {
      await Promise.all(inFlight);
      await new Promise((r) => setImmediate(r));
    };
    const answers = await replay({ ...run, prober, settle, url: `http://127.0.0.1:${target.port}/healthz` });
    expect(checks.length).toBe(target.requests.length);
    expect(checks.map((c) => c.ok)).toEqual(checks.map((c) => !failingAt(c.at, run.flapStart)));
    expect(answers).toEqual(expectedAnswers(checks));
  });
});
