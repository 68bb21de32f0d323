import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdmin, WRITE, READ, type AdminHarness } from './admin-harness.js';

// Every field of every admin route against values of the wrong JSON type or out of range:
// each is a 400 that names the field and the problem, and changes nothing. Bodies are JSON
// (types as declared, never coerced); query strings are text (only the canonical spelling
// of an integer or boolean is one).

let h: AdminHarness;
beforeAll(async () => {
  h = await startAdmin();
});
afterAll(() => h.close());

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST';
async function send(method: Method, url: string, payload?: unknown, headers: Record<string, string> = WRITE) {
  const r = await h.admin.inject({ method, url, headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' }, payload: payload === undefined ? undefined : JSON.stringify(payload) });
  return { status: r.statusCode, body: r.json() };
}

const LONG = 'x'.repeat(501);
const SHOWN_LONG = `"${'x'.repeat(40)}"... (501 characters)`;

// What each kind of body field accepts, and the wrong values tried against it: [value, how the message shows it].
const INTEGER_0_100 = 'integer 0..100';
const REASON = 'non-empty string of at most 500 characters';
const BODY_BAD: Record<'integer' | 'boolean' | 'reason' | 'decision', [string, unknown, string][]> = {
  integer: [
    ['null', null, 'null'],
    ['false', false, 'false'],
    ['true', true, 'true'],
    ['a string', '50', '"50"'],
    ['an array', [7], '[7]'],
    ['a float', 2.5, '2.5'],
    ['negative', -1, '-1'],
    ['out of range', 101, '101'],
  ],
  boolean: [
    ['null', null, 'null'],
    ['1', 1, '1'],
    ['0', 0, '0'],
    ['the string "true"', 'true', '"true"'],
    ['an array', [true], '[true]'],
    ['a float', 1.5, '1.5'],
    ['negative', -1, '-1'],
    ['an object', {}, '{}'],
  ],
  reason: [
    ['null', null, 'null'],
    ['a bool', true, 'true'],
    ['a number', 5, '5'],
    ['an array', ['why'], '["why"]'],
    ['a float', 2.5, '2.5'],
    ['negative', -1, '-1'],
    ['empty', '', '""'],
    ['too long', LONG, SHOWN_LONG],
  ],
  decision: [
    ['null', null, 'null'],
    ['a bool', true, 'true'],
    ['another word', 'REPUBLISH', '"REPUBLISH"'],
    ['an array', ['adopt'], '["adopt"]'],
    ['a float', 1.5, '1.5'],
    ['negative', -1, '-1'],
  ],
};
const EXPECTED: Record<keyof typeof BODY_BAD, string> = { integer: INTEGER_0_100, boolean: 'boolean', reason: REASON, decision: 'one of "republish", "adopt"' };

// Every body field of every route, with a valid body the bad value is put into.
const BODY_FIELDS: [route: string, method: Method, url: string, valid: Record<string, unknown>, field: string, kind: keyof typeof BODY_BAD][] = [
  ['set weight', 'PUT', '/v1/regions/us-west/weight', { weight: 50, reason: 'r', force: false }, 'weight', 'integer'],
  ['set weight', 'PUT', '/v1/regions/us-west/weight', { weight: 50, reason: 'r', force: false }, 'reason', 'reason'],
  ['set weight', 'PUT', '/v1/regions/us-west/weight', { weight: 50, reason: 'r', force: false }, 'force', 'boolean'],
  ['drain', 'PUT', '/v1/regions/us-west/drain', { reason: 'r', force: false }, 'reason', 'reason'],
  ['drain', 'PUT', '/v1/regions/us-west/drain', { reason: 'r', force: false }, 'force', 'boolean'],
  ['reload', 'POST', '/v1/reload', { reason: 'r' }, 'reason', 'reason'],
  ['state reset', 'POST', '/v1/state/reset', { decision: 'adopt', reason: 'r' }, 'decision', 'decision'],
  ['state reset', 'POST', '/v1/state/reset', { decision: 'adopt', reason: 'r' }, 'reason', 'reason'],
];

// Query parameters are text: [route, method, url with the bad text, message].
const QUERY_BAD: [string, Method, string, string][] = [
  ['reset weight: force 1', 'DELETE', '/v1/regions/us-west/weight?reason=r&force=1', 'force: expected boolean, got "1"'],
  ['reset weight: force yes', 'DELETE', '/v1/regions/us-west/weight?reason=r&force=yes', 'force: expected boolean, got "yes"'],
  ['reset weight: force TRUE', 'DELETE', '/v1/regions/us-west/weight?reason=r&force=TRUE', 'force: expected boolean, got "TRUE"'],
  ['reset weight: force empty', 'DELETE', '/v1/regions/us-west/weight?reason=r&force=', 'force: expected boolean, got ""'],
  ['reset weight: force twice', 'DELETE', '/v1/regions/us-west/weight?reason=r&force=true&force=false', 'force: expected boolean, got ["true","false"]'],
  ['reset weight: no reason', 'DELETE', '/v1/regions/us-west/weight', 'reason: required query parameter is missing'],
  ['reset weight: empty reason', 'DELETE', '/v1/regions/us-west/weight?reason=', `reason: expected ${REASON}, got ""`],
  ['reset weight: reason twice', 'DELETE', '/v1/regions/us-west/weight?reason=a&reason=b', `reason: expected ${REASON}, got ["a","b"]`],
  ['reset weight: reason too long', 'DELETE', `/v1/regions/us-west/weight?reason=${LONG}`, `reason: expected ${REASON}, got ${SHOWN_LONG}`],
  ['reset weight: unknown parameter', 'DELETE', '/v1/regions/us-west/weight?reason=r&weight=5', 'weight: unknown query parameter; allowed: reason, force'],
  ['undrain: no reason', 'DELETE', '/v1/regions/us-west/drain', 'reason: required query parameter is missing'],
  ['undrain: a force it does not take', 'DELETE', '/v1/regions/us-west/drain?reason=r&force=true', 'force: unknown query parameter; allowed: reason'],
  ['undrain: reason with a newline', 'DELETE', '/v1/regions/us-west/drain?reason=a%0Ab', 'reason: control character U+000A at position 1: send one line of printable text'],
  ['events: limit null', 'GET', '/v1/events?limit=null', 'limit: expected integer 1..1000, got "null"'],
  ['events: limit true', 'GET', '/v1/events?limit=true', 'limit: expected integer 1..1000, got "true"'],
  ['events: limit text', 'GET', '/v1/events?limit=ten', 'limit: expected integer 1..1000, got "ten"'],
  ['events: limit twice', 'GET', '/v1/events?limit=1&limit=2', 'limit: expected integer 1..1000, got ["1","2"]'],
  ['events: limit float', 'GET', '/v1/events?limit=2.5', 'limit: expected integer 1..1000, got "2.5"'],
  ['events: limit negative', 'GET', '/v1/events?limit=-1', 'limit: expected integer 1..1000, got -1'],
  ['events: limit zero', 'GET', '/v1/events?limit=0', 'limit: expected integer 1..1000, got 0'],
  ['events: limit out of range', 'GET', '/v1/events?limit=1001', 'limit: expected integer 1..1000, got 1001'],
  ['events: limit with a leading zero', 'GET', '/v1/events?limit=010', 'limit: expected integer 1..1000, got "010"'],
  ['events: limit in exponent form', 'GET', '/v1/events?limit=1e2', 'limit: expected integer 1..1000, got "1e2"'],
  ['events: before not a cursor', 'GET', '/v1/events?before=abc', 'before: expected string matching ^[0-9]{1,16}(-[0-9]{1,16})?$, got "abc"'],
  ['events: before negative', 'GET', '/v1/events?before=-5', 'before: expected string matching ^[0-9]{1,16}(-[0-9]{1,16})?$, got "-5"'],
  ['events: unknown type', 'GET', '/v1/events?type=AUDIT', 'type: expected one of "endpoint_up"'],
  ['events: since not a time', 'GET', '/v1/events?since=yesterday', 'since: expected an RFC 3339 time like 2026-11-22T10:00:00Z, got "yesterday"'],
  ['events: since as milliseconds', 'GET', '/v1/events?since=1700000000000', 'since: expected an RFC 3339 time like 2026-11-22T10:00:00Z, got "1700000000000"'],
  ['events: empty region', 'GET', '/v1/events?region=', 'region: expected non-empty string of at most 100 characters, got ""'],
  ['events: unknown parameter', 'GET', '/v1/events?page=2', 'page: unknown query parameter; allowed: limit, before, type, region, since'],
  ['explain: unknown type', 'GET', '/v1/explain?name=api.example.com&client=1.2.3.4&type=MX', 'type: expected one of "A", "AAAA", got "MX"'],
  ['explain: format twice', 'GET', '/v1/explain?name=api.example.com&client=1.2.3.4&format=text&format=json', 'format: expected one of "json", "text", got ["text","json"]'],
  ['explain: empty client', 'GET', '/v1/explain?name=api.example.com&client=', 'client: expected non-empty string of at most 64 characters, got ""'],
];

// Whole bodies that are not what a route takes.
const BODY_SHAPE: [string, Method, string, unknown, string][] = [
  ['a body that is an array', 'PUT', '/v1/regions/us-west/weight', [50], 'body: expected object, got [50]'],
  ['a body that is null', 'PUT', '/v1/regions/us-west/drain', null, 'body: expected object, got null'],
  ['a body that is a string', 'POST', '/v1/reload', 'reload', 'body: expected object, got "reload"'],
  ['an unknown field', 'PUT', '/v1/regions/us-west/drain', { reason: 'r', weight: 0 }, 'weight: unknown field; allowed: reason, force'],
  ['a reset without a decision', 'POST', '/v1/state/reset', { reason: 'r' }, 'decision: required field is missing'],
  ['a reload without a reason', 'POST', '/v1/reload', {}, 'reason: required field is missing'],
  ['a body on a DELETE', 'DELETE', '/v1/regions/us-west/drain?reason=r', { reason: 'r' }, 'body: DELETE /v1/regions/:region/drain takes no body; send reason and force in the query string'],
];

// Reasons must be printable text: what is refused, and what the message says.
const UNPRINTABLE: [string, string, string][] = [
  ['a control character', 'ok\u0007bell', 'reason: control character U+0007 at position 2: send one line of printable text'],
  ['a newline', 'line one\nline two', 'reason: control character U+000A at position 8: send one line of printable text'],
  ['DEL', 'x\u007f', 'reason: control character U+007F at position 1: send one line of printable text'],
  ['a C1 control', '\u0085next', 'reason: control character U+0085 at position 0: send one line of printable text'],
  ['a lone high surrogate', 'broken \ud83d emoji', 'reason: lone surrogate U+D83D at position 7: not Unicode text (send the character itself, UTF-8 encoded)'],
  ['a lone low surrogate', '\ude00', 'reason: lone surrogate U+DE00 at position 0: not Unicode text (send the character itself, UTF-8 encoded)'],
  ['a line separator', 'a\u2028b', 'reason: line separator U+2028 at position 1: send one line of printable text'],
  ['a bidi override', 'safe\u202egnp.exe', 'reason: bidirectional control U+202E at position 4: send plain text'],
  ['only spaces', '   ', 'reason: blank text: say why in words'],
];

/** Runs `request` and checks it was refused with `status` and `message` and changed nothing. */
async function refusedWithoutChange(request: () => Promise<{ status: number; body: any }>, status: number, message: string) {
  const state = h.service.state.current();
  const generation = h.snapshot().generation;
  const audits = h.events.list({ type: 'audit' }).length;
  const r = await request();
  expect(r.status).toBe(status);
  expect(r.body.message).toContain(message);
  expect(h.service.state.current()).toBe(state);
  expect(h.snapshot().generation).toBe(generation);
  expect(h.events.list({ type: 'audit' })).toHaveLength(audits);
}

describe('strict admin input: JSON body fields', () => {
  for (const [route, method, url, valid, field, kind] of BODY_FIELDS) {
    for (const [label, value, shown] of BODY_BAD[kind]) {
      it(`${route}: ${field} ${label} -> 400`, async () => {
        const message = `${field}: expected ${EXPECTED[kind]}, got ${shown}`;
        await refusedWithoutChange(() => send(method, url, { ...valid, [field]: value }), 400, message);
        expect((await send(method, url, { ...valid, [field]: value })).body).toEqual({ error: 'BAD_REQUEST', message });
      });
    }
  }
});

describe('strict admin input: query parameters', () => {
  for (const [label, method, url, message] of QUERY_BAD) {
    it(`${label} -> 400`, async () => {
      await refusedWithoutChange(() => send(method, url, undefined, method === 'GET' ? READ : WRITE), 400, message);
    });
  }
  it('the canonical spellings are taken: limit=2, force=true, force=false', async () => {
    expect((await send('GET', '/v1/events?limit=2', undefined, READ)).status).toBe(200);
    await send('PUT', '/v1/regions/us-west/weight', { weight: 40, reason: 'set' });
    expect((await send('DELETE', '/v1/regions/us-west/weight?reason=back&force=false')).body).toMatchObject({ changed: true });
    await send('PUT', '/v1/regions/us-west/weight', { weight: 40, reason: 'set' });
    expect((await send('DELETE', '/v1/regions/us-west/weight?reason=back&force=true')).body).toMatchObject({ changed: true });
  });
});

describe('strict admin input: bodies and reasons', () => {
  for (const [label, method, url, payload, message] of BODY_SHAPE) {
    it(`${label} -> 400`, async () => {
      await refusedWithoutChange(() => send(method, url, payload, method === 'GET' ? READ : WRITE), 400, message);
    });
  }
  for (const [label, reason, message] of UNPRINTABLE) {
    it(`a reason with ${label} -> 400, for every write`, async () => {
      await refusedWithoutChange(() => send('PUT', '/v1/regions/us-west/weight', { weight: 10, reason }), 400, message);
      await refusedWithoutChange(() => send('PUT', '/v1/regions/us-west/drain', { reason }), 400, message);
      await refusedWithoutChange(() => send('POST', '/v1/reload', { reason }), 400, message);
      await refusedWithoutChange(() => send('POST', '/v1/state/reset', { decision: 'adopt', reason }), 400, message);
      // A URL cannot carry a lone surrogate (percent-encoding is of UTF-8 bytes): that case is below.
      if (!label.includes('surrogate')) await refusedWithoutChange(() => send('DELETE', `/v1/regions/us-west/drain?reason=${encodeURIComponent(reason)}`), 400, message);
    });
  }
  it('a query reason percent-encoding bytes that are not UTF-8 (a surrogate\'s) -> 400', async () => {
    await refusedWithoutChange(() => send('DELETE', '/v1/regions/us-west/drain?reason=broken%ED%A0%BD'), 400, 'reason: query parameter is not percent-encoded UTF-8');
    await refusedWithoutChange(() => send('DELETE', '/v1/regions/us-west/drain?reason=100%'), 400, 'reason: query parameter is not percent-encoded UTF-8');
  });
  it('a body that is not UTF-8 -> 400 (not U+FFFD in the audit log)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"reason": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    await refusedWithoutChange(async () => {
      const r = await h.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/drain', headers: { ...WRITE, 'content-type': 'application/json' }, payload: bytes });
      return { status: r.statusCode, body: r.json() };
    }, 400, 'body: not valid UTF-8; send JSON encoded as UTF-8');
  });
  it('printable text of every script, emoji included, is taken as it is', async () => {
    const reason = 'メンテナンス 🚧 — Wartung, техобслуживание';
    expect((await send('PUT', '/v1/regions/us-west/weight', { weight: 30, reason })).status).toBe(200);
    expect(h.events.list({ type: 'audit' })[0].detail?.reason).toBe(reason);
  });
});

describe('force is a real boolean: nothing else gets past the strand check', () => {
  beforeEach(async () => {
    await h.close();
    h = await startAdmin();
  });
  const strands: [string, Method, string, unknown][] = [
    ['"force": 1 on a drain', 'PUT', '/v1/regions/tokyo/drain', { reason: 'r', force: 1 }],
    ['"force": "true" on a drain', 'PUT', '/v1/regions/tokyo/drain', { reason: 'r', force: 'true' }],
    ['"force": [true] on weight 0', 'PUT', '/v1/regions/taiwan/weight', { weight: 0, reason: 'r', force: [true] }],
    ['"force": "yes" on weight 0', 'PUT', '/v1/regions/taiwan/weight', { weight: 0, reason: 'r', force: 'yes' }],
  ];
  for (const [label, method, url, payload] of strands) {
    it(`${label} -> 400, and the region keeps its traffic`, async () => {
      await refusedWithoutChange(() => send(method, url, payload), 400, 'force: expected boolean, got ');
    });
  }
  it('without force the same change is a 409; with "force": true it is applied and the audit entry says forced', async () => {
    expect((await send('PUT', '/v1/regions/tokyo/drain', { reason: 'r' })).status).toBe(409);
    expect((await send('PUT', '/v1/regions/tokyo/drain', { reason: 'r', force: false })).status).toBe(409);
    expect((await send('PUT', '/v1/regions/tokyo/drain', { reason: 'evacuate', force: true })).status).toBe(200);
    expect(h.events.list({ type: 'audit' })[0].detail).toMatchObject({ action: 'drain', force: true, reason: 'evacuate' });
  });
});
