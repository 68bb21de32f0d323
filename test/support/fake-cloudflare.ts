import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

// A stateful fake of the Cloudflare v4 DNS records API, speaking what the `cloudflare` SDK
// sends: the real paths under /client/v4, the {success, errors, messages, result,
// result_info} envelope, page/per_page pagination (per_page capped at 5000 as Cloudflare
// does), name/type/content/comment filters, the batch endpoint (atomic, deletes -> patches
// -> puts -> posts, first error wins), GET .../dns_records/usage, Cloudflare's validation
// codes (optionally wrapped as 1004 "DNS Validation Error" with an error_chain), per-record
// comments, created_on with sub-second order, AAAA stored in canonical form, a zone record
// quota (81045), a read-only token (403 10000 on writes), the account rate limit (1200
// requests per 5 minutes, then every call 429 for 5 minutes, with Ratelimit /
// Ratelimit-Policy / Retry-After headers), injectable faults (4xx, 5xx, text bodies, 5xx
// after commit) and request gates. Loopback only; time comes from `now`.

/** A record as the fake stores and returns it. */
export interface FakeRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
  created_on: string;
}

/** A request as the fake saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  body: unknown;
  status: number;
}

/** A fault returned instead of the normal answer, `times` times, for requests `when` matches. */
export interface Fault {
  when?: (req: { method: string; url: string; body: any }) => boolean;
  status: number;
  code: number;
  message: string;
  retryAfter?: number;
  /** Carry out the request first, then answer with the fault (a 5xx after a committed write). */
  afterCommit?: boolean;
  /** Answer with a text/plain body instead of the JSON envelope (a proxy's 503 page). */
  text?: boolean;
  times: number;
}

class CfError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly chain?: { code: number; message: string }[],
  ) {
    super(message);
  }
}

/** Options of the fake. */
export interface FakeCloudflareOptions {
  zoneName?: string;
  /** Clock for created_on and the rate-limit window (default Date.now). */
  now?: () => number;
  /** Records the zone may hold (record_quota); unlimited when absent. */
  quota?: number;
  /** Answer record_quota: null although `quota` holds (an account-level limit). */
  hideQuota?: boolean;
  /** Account rate limit: requests per window, then every request is refused for blockMs. */
  rateLimit?: { requests: number; windowMs: number; blockMs: number };
  /** Validation errors as 1004 "DNS Validation Error" with the cause in error_chain. */
  errorChain?: boolean;
}

/** Started fake: its base URL for the SDK, its state, its request log, and fault injection. */
export interface FakeCloudflare {
  baseURL: string;
  zoneId: string;
  token: string;
  /** A token that may read the zone but not edit it (403, code 10000, on every write). */
  readOnlyToken: string;
  records(): FakeRecord[];
  seed(r: Partial<FakeRecord> & Pick<FakeRecord, 'name' | 'type' | 'content'>): FakeRecord;
  requests: SeenRequest[];
  inject(fault: Fault): void;
  /** Every request is answered 429 (code 10429, Retry-After) for `ms` from now. */
  blockFor(ms: number): void;
  /** Holds requests `when` matches until `count` of them arrived, then lets them all through. */
  gate(when: (req: { method: string; url: string }) => boolean, count: number): void;
  /** Holds the next request `when` matches until release(); `arrived` resolves when it is held. */
  hold(when: (req: { method: string; url: string }) => boolean): { arrived: Promise<void>; release(): void };
  /** Records whose create/update the fake refuses with 400 (a permanent, per-record error). */
  refuse: (r: { name: string; type: string; content: string }) => { code: number; message: string } | undefined;
  quota: number | undefined;
  close(): Promise<void>;
}

const MAX_PER_PAGE = 5000;

/** Starts the fake on 127.0.0.1, port 0, serving one zone. */
export async function startFakeCloudflare(options: FakeCloudflareOptions | string = {}): Promise<FakeCloudflare> {
  const opts: FakeCloudflareOptions = typeof options === 'string' ? { zoneName: options } : options;
  const zoneName = opts.zoneName ?? 'example.com';
  const now = opts.now ?? Date.now;
  const limit = opts.rateLimit ?? { requests: 1200, windowMs: 300_000, blockMs: 300_000 };
  const zoneId = randomBytes(16).toString('hex');
  const token = 'test-token-' + randomBytes(4).toString('hex');
  const readOnlyToken = 'read-only-' + randomBytes(4).toString('hex');
  const store = new Map<string, FakeRecord>();
  const faults: Fault[] = [];
  const gates: { when: (req: { method: string; url: string }) => boolean; count: number; waiting: (() => void)[] }[] = [];
  const holds: { when: (req: { method: string; url: string }) => boolean; held: Promise<void>; arrived: () => void }[] = [];
  const requests: SeenRequest[] = [];
  const recent: number[] = [];
  let blockedUntil = 0;
  let lastMs = 0;
  let sequence = 0;
  const app = Fastify({ logger: false });

  /** created_on with microseconds: strictly increasing within one millisecond too. */
  const createdOn = () => {
    const ms = now();
    sequence = ms === lastMs ? sequence + 1 : 0;
    lastMs = ms;
    return new Date(ms).toISOString().replace('Z', `${String(sequence).padStart(3, '0')}Z`);
  };
  const fake: FakeCloudflare = {
    baseURL: '',
    zoneId,
    token,
    readOnlyToken,
    records: () => [...store.values()].map((r) => ({ ...r })),
    seed: (r) => {
      const full: FakeRecord = { id: randomBytes(16).toString('hex'), ttl: 1, proxied: false, comment: null, tags: [], created_on: createdOn(), ...r };
      store.set(full.id, full);
      return full;
    },
    requests,
    inject: (f) => void faults.push(f),
    blockFor: (ms) => void (blockedUntil = now() + ms),
    gate: (when, count) => void gates.push({ when, count, waiting: [] }),
    hold: (when) => {
      let arrived!: () => void;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      holds.push({ when, held, arrived: () => arrived() });
      return { arrived: new Promise<void>((r) => (arrived = r)), release: () => release() };
    },
    refuse: () => undefined,
    quota: opts.quota,
    close: () => app.close(),
  };

  const absolute = (name: string) => {
    const n = String(name).toLowerCase().replace(/\.$/, '');
    return n === zoneName || n.endsWith(`.${zoneName}`) ? n : n === '@' ? zoneName : `${n}.${zoneName}`;
  };
  const invalid = (code: number, message: string) => (opts.errorChain ? new CfError(400, 1004, 'DNS Validation Error', [{ code, message }]) : new CfError(400, code, message));

  /** Validates a record body against the zone (without `self`) the way Cloudflare does. */
  function validate(body: any, zone: Map<string, FakeRecord>, self?: FakeRecord): FakeRecord {
    if (!body || typeof body.name !== 'string' || typeof body.type !== 'string') throw new CfError(400, 9000, 'DNS name and type are required');
    const type = body.type;
    if (!['A', 'AAAA', 'CNAME', 'NS', 'TXT', 'MX'].includes(type)) throw invalid(9007, `unsupported type ${type}`);
    const ttl = body.ttl ?? 1;
    if (ttl !== 1 && (ttl < 60 || ttl > 86400)) throw invalid(9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
    let content = String(body.content ?? '');
    if (type === 'A' && !isIPv4(content)) throw invalid(9005, 'Content for A record must be a valid IPv4 address.');
    if (type === 'AAAA' && !isIPv6(content)) throw invalid(9006, 'Content for AAAA record must be a valid IPv6 address.');
    if (type === 'AAAA') content = new URL(`http://[${content}]/`).hostname.slice(1, -1); // stored canonical
    if (type === 'CNAME' || type === 'NS') content = content.replace(/\.$/, '');
    if (body.proxied && !['A', 'AAAA', 'CNAME'].includes(type)) throw invalid(9004, 'This record type cannot be proxied.');
    if (body.comment && String(body.comment).length > 100) throw new CfError(400, 9102, 'DNS record comment too long (100 characters on this plan).');
    if (Array.isArray(body.tags) && body.tags.length > 0) throw new CfError(400, 9300, 'DNS record tags are not available on this plan.');
    const name = absolute(body.name);
    const others = [...zone.values()].filter((r) => r.name === name && r.id !== self?.id);
    if (type === 'CNAME' && others.length > 0) throw new CfError(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
    if (type !== 'CNAME' && others.some((r) => r.type === 'CNAME')) throw new CfError(400, 81054, 'A CNAME record with that host already exists.');
    if (others.some((r) => r.type === type && r.content.toLowerCase() === content.toLowerCase())) throw new CfError(400, 81058, 'An identical record already exists.');
    const refused = fake.refuse({ name, type, content });
    if (refused) throw invalid(refused.code, refused.message);
    if (!self && fake.quota !== undefined && zone.size >= fake.quota) throw new CfError(400, 81045, 'Record quota exceeded.');
    return { id: self?.id ?? randomBytes(16).toString('hex'), name, type, content, ttl: body.proxied ? 1 : ttl, proxied: Boolean(body.proxied), comment: body.comment || null, tags: [], created_on: self?.created_on ?? createdOn() };
  }

  const view = (r: FakeRecord) => ({ ...r, proxiable: ['A', 'AAAA', 'CNAME'].includes(r.type), settings: {}, meta: {}, modified_on: r.created_on });
  const ok = (reply: FastifyReply, result: unknown, resultInfo?: unknown) =>
    reply.send({ success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
  const fail = (reply: FastifyReply, err: CfError, retryAfter?: number) => {
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    const error = { code: err.code, message: err.message, ...(err.chain ? { error_chain: err.chain } : {}) };
    return reply.code(err.status).send({ success: false, errors: [error], messages: [], result: null });
  };
  const zoneOf = (req: FastifyRequest) => {
    const id = (req.params as { zone: string }).zone;
    if (id !== zoneId) throw new CfError(404, 7003, `Could not route to /zones/${id}/dns_records, perhaps your object identifier is invalid?`);
    return store;
  };

  // The account rate limit over a sliding window, announced on every answer.
  const rateHeaders = (reply: FastifyReply) => {
    const t = now();
    while (recent.length > 0 && recent[0] <= t - limit.windowMs) recent.shift();
    const reset = recent.length > 0 ? Math.ceil((recent[0] + limit.windowMs - t) / 1000) : Math.ceil(limit.windowMs / 1000);
    reply.header('ratelimit', `"default";r=${Math.max(0, limit.requests - recent.length)};t=${reset}`);
    reply.header('ratelimit-policy', `"default";q=${limit.requests};w=${Math.ceil(limit.windowMs / 1000)}`);
  };

  // Gates, auth, the rate limit, the request log and fault injection in front of every route.
  app.addHook('onRequest', async (req) => {
    const h = holds.findIndex((x) => x.when({ method: req.method, url: req.url }));
    if (h >= 0) {
      const [hold] = holds.splice(h, 1);
      hold.arrived();
      await hold.held;
    }
    const gate = gates.find((g) => g.count > 0 && g.when({ method: req.method, url: req.url }));
    if (!gate) return;
    await new Promise<void>((release) => {
      gate.waiting.push(release);
      gate.count--;
      if (gate.count === 0) gate.waiting.splice(0).forEach((r) => r());
    });
  });
  app.addHook('preHandler', async (req, reply) => {
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${token}` && auth !== `Bearer ${readOnlyToken}`) return fail(reply, new CfError(403, 10000, 'Authentication error'));
    const t = now();
    if (t < blockedUntil) return fail(reply, new CfError(429, 10429, 'Rate limited. Please wait and consider throttling your request speed'), Math.ceil((blockedUntil - t) / 1000));
    recent.push(t);
    rateHeaders(reply); // what remains after this request
    if (recent.length > limit.requests) {
      blockedUntil = t + limit.blockMs;
      return fail(reply, new CfError(429, 10429, 'Rate limited. Please wait and consider throttling your request speed'), Math.ceil(limit.blockMs / 1000));
    }
    if (auth === `Bearer ${readOnlyToken}` && req.method !== 'GET') return fail(reply, new CfError(403, 10000, 'Authentication error'));
    const i = faults.findIndex((f) => f.times > 0 && (!f.when || f.when({ method: req.method, url: req.url, body: req.body })));
    if (i < 0) return;
    const f = faults[i];
    f.times--;
    if (f.afterCommit) {
      (req as any).faultAfter = f;
      return;
    }
    if (f.text) return reply.code(f.status).type('text/plain').send(f.message);
    return fail(reply, new CfError(f.status, f.code, f.message), f.retryAfter);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const f = (req as any).faultAfter as Fault | undefined;
    if (f && reply.statusCode < 400) {
      reply.code(f.status);
      return JSON.stringify({ success: false, errors: [{ code: f.code, message: f.message }], messages: [], result: null });
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    requests.push({ method: req.method, url: req.url, body: req.body, status: reply.statusCode });
  });
  app.setErrorHandler((err, _req, reply) => (err instanceof CfError ? fail(reply, err) : fail(reply, new CfError(400, 1000, (err as Error).message))));

  const filterBy = (value: string, query: Record<string, string>, field: string) => {
    const v = value.toLowerCase();
    const exact = query[field] ?? query[`${field}.exact`];
    if (exact !== undefined && v !== exact.toLowerCase()) return false;
    if (query[`${field}.endswith`] !== undefined && !v.endsWith(query[`${field}.endswith`].toLowerCase())) return false;
    if (query[`${field}.startswith`] !== undefined && !v.startsWith(query[`${field}.startswith`].toLowerCase())) return false;
    if (query[`${field}.contains`] !== undefined && !v.includes(query[`${field}.contains`].toLowerCase())) return false;
    return true;
  };

  app.get('/client/v4/zones/:zone/dns_records/usage', async (req, reply) => {
    const zone = zoneOf(req);
    return ok(reply, { record_quota: opts.hideQuota ? null : (fake.quota ?? null), record_usage: zone.size });
  });

  app.get('/client/v4/zones/:zone/dns_records', async (req, reply) => {
    const zone = zoneOf(req);
    const q = req.query as Record<string, string>;
    const perPage = Math.min(MAX_PER_PAGE, Number(q.per_page ?? 100));
    const page = Number(q.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 5) throw new CfError(400, 1004, 'per_page must be at least 5');
    const all = [...zone.values()]
      .filter((r) => filterBy(r.name, q, 'name') && (q.type === undefined || r.type === q.type) && filterBy(r.content, q, 'content') && filterBy(r.comment ?? '', q, 'comment'))
      .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.content.localeCompare(b.content));
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return ok(reply, slice.map(view), { page, per_page: perPage, count: slice.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) });
  });

  app.get('/client/v4/zones/:zone/dns_records/:id', async (req, reply) => {
    const r = zoneOf(req).get((req.params as { id: string }).id);
    if (!r) throw new CfError(404, 81044, 'Record does not exist.');
    return ok(reply, view(r));
  });

  app.post('/client/v4/zones/:zone/dns_records', async (req, reply) => {
    const zone = zoneOf(req);
    const r = validate(req.body, zone);
    zone.set(r.id, r);
    return ok(reply, view(r));
  });

  app.put('/client/v4/zones/:zone/dns_records/:id', async (req, reply) => {
    const zone = zoneOf(req);
    const old = zone.get((req.params as { id: string }).id);
    if (!old) throw new CfError(404, 81044, 'Record does not exist.');
    const r = validate(req.body, zone, old);
    zone.set(r.id, r);
    return ok(reply, view(r));
  });

  app.delete('/client/v4/zones/:zone/dns_records/:id', async (req, reply) => {
    const zone = zoneOf(req);
    const id = (req.params as { id: string }).id;
    if (!zone.delete(id)) throw new CfError(404, 81044, 'Record does not exist.');
    return ok(reply, { id });
  });

  // Atomic: works on a copy and swaps it in only when every operation succeeded.
  app.post('/client/v4/zones/:zone/dns_records/batch', async (req, reply) => {
    const zone = zoneOf(req);
    const body = (req.body ?? {}) as { deletes?: { id: string }[]; patches?: any[]; puts?: any[]; posts?: any[] };
    const work = new Map([...zone].map(([k, v]) => [k, { ...v }]));
    const result = { deletes: [] as unknown[], patches: [] as unknown[], puts: [] as unknown[], posts: [] as unknown[] };
    for (const d of body.deletes ?? []) {
      const r = work.get(d.id);
      if (!r) throw new CfError(404, 81044, `Record ${d.id} does not exist.`);
      work.delete(d.id);
      result.deletes.push(view(r));
    }
    for (const p of body.patches ?? []) {
      const old = work.get(p.id);
      if (!old) throw new CfError(404, 81044, `Record ${p.id} does not exist.`);
      const r = validate({ ...old, ...p }, work, old);
      work.set(p.id, r);
      result.patches.push(view(r));
    }
    for (const p of body.puts ?? []) {
      const old = work.get(p.id);
      if (!old) throw new CfError(404, 81044, `Record ${p.id} does not exist.`);
      const r = validate(p, work, old);
      work.set(p.id, r);
      result.puts.push(view(r));
    }
    for (const p of body.posts ?? []) {
      const r = validate(p, work);
      work.set(r.id, r);
      result.posts.push(view(r));
    }
    zone.clear();
    for (const [k, v] of work) zone.set(k, v);
    return ok(reply, result);
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  fake.baseURL = `http://127.0.0.1:${port}/client/v4`;
  return fake;
}
