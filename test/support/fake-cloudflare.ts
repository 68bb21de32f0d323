import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

// A stateful fake of the Cloudflare v4 DNS records API, speaking what the `cloudflare` SDK
// sends: the real paths under /client/v4, the {success, errors, messages, result,
// result_info} envelope, page/per_page pagination, name.exact/name.endswith/type/comment
// filters, the batch endpoint (atomic, deletes -> patches -> puts -> posts), Cloudflare's
// validation codes, and injectable 429/5xx/4xx faults. Loopback only.

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
  /** Carry out the request first, then answer with the fault (a 5xx after a committed create). */
  afterCommit?: boolean;
  times: number;
}

class CfError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Started fake: its base URL for the SDK, its state, its request log, and fault injection. */
export interface FakeCloudflare {
  baseURL: string;
  zoneId: string;
  token: string;
  records(): FakeRecord[];
  seed(r: Partial<FakeRecord> & Pick<FakeRecord, 'name' | 'type' | 'content'>): FakeRecord;
  requests: SeenRequest[];
  inject(fault: Fault): void;
  /** Records whose create/update the fake refuses with 400 (a permanent, per-record error). */
  refuse: (r: { name: string; type: string; content: string }) => { code: number; message: string } | undefined;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1, port 0, serving one zone. */
export async function startFakeCloudflare(zoneName = 'example.com'): Promise<FakeCloudflare> {
  const zoneId = randomBytes(16).toString('hex');
  const token = 'test-token-' + randomBytes(4).toString('hex');
  const store = new Map<string, FakeRecord>();
  const faults: Fault[] = [];
  const requests: SeenRequest[] = [];
  const app = Fastify({ logger: false });
  const fake: FakeCloudflare = {
    baseURL: '',
    zoneId,
    token,
    records: () => [...store.values()].map((r) => ({ ...r })),
    seed: (r) => {
      const full: FakeRecord = { id: randomBytes(16).toString('hex'), ttl: 1, proxied: false, comment: null, tags: [], ...r };
      store.set(full.id, full);
      return full;
    },
    requests,
    inject: (f) => void faults.push(f),
    refuse: () => undefined,
    close: () => app.close(),
  };

  const absolute = (name: string) => {
    const n = String(name).toLowerCase().replace(/\.$/, '');
    return n === zoneName || n.endsWith(`.${zoneName}`) ? n : n === '@' ? zoneName : `${n}.${zoneName}`;
  };

  /** Validates a record body against the zone (without `self`) the way Cloudflare does. */
  function validate(body: any, zone: Map<string, FakeRecord>, self?: string): FakeRecord {
    if (!body || typeof body.name !== 'string' || typeof body.type !== 'string') throw new CfError(400, 9000, 'DNS name and type are required');
    const type = body.type;
    if (!['A', 'AAAA', 'CNAME', 'NS', 'TXT', 'MX'].includes(type)) throw new CfError(400, 1004, `DNS Validation Error: unsupported type ${type}`);
    const ttl = body.ttl ?? 1;
    if (ttl !== 1 && (ttl < 60 || ttl > 86400)) throw new CfError(400, 9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
    const content = String(body.content ?? '');
    if (type === 'A' && !isIPv4(content)) throw new CfError(400, 9005, 'Content for A record must be a valid IPv4 address.');
    if (type === 'AAAA' && !isIPv6(content)) throw new CfError(400, 9006, 'Content for AAAA record must be a valid IPv6 address.');
    if (body.proxied && !['A', 'AAAA', 'CNAME'].includes(type)) throw new CfError(400, 9004, 'This record type cannot be proxied.');
    if (body.comment && String(body.comment).length > 100) throw new CfError(400, 9102, 'DNS record comment too long (100 characters on this plan).');
    if (Array.isArray(body.tags) && body.tags.length > 0) throw new CfError(400, 9300, 'DNS record tags are not available on this plan.');
    const name = absolute(body.name);
    const others = [...zone.values()].filter((r) => r.name === name && r.id !== self);
    if (type === 'CNAME' && others.length > 0) throw new CfError(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
    if (type !== 'CNAME' && others.some((r) => r.type === 'CNAME')) throw new CfError(400, 81054, 'A CNAME record with that host already exists.');
    if (others.some((r) => r.type === type && r.content === content)) throw new CfError(400, 81058, 'An identical record already exists.');
    const refused = fake.refuse({ name, type, content });
    if (refused) throw new CfError(400, refused.code, refused.message);
    return { id: self ?? randomBytes(16).toString('hex'), name, type, content, ttl: body.proxied ? 1 : ttl, proxied: Boolean(body.proxied), comment: body.comment || null, tags: [] };
  }

  const view = (r: FakeRecord) => ({
    ...r,
    proxiable: ['A', 'AAAA', 'CNAME'].includes(r.type),
    settings: {},
    meta: {},
    created_on: '2026-11-22T00:00:00Z',
    modified_on: '2026-11-22T00:00:00Z',
  });
  const ok = (reply: FastifyReply, result: unknown, resultInfo?: unknown) =>
    reply.send({ success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
  const fail = (reply: FastifyReply, err: CfError, retryAfter?: number) => {
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(err.status).send({ success: false, errors: [{ code: err.code, message: err.message }], messages: [], result: null });
  };
  const zoneOf = (req: FastifyRequest) => {
    const id = (req.params as { zone: string }).zone;
    if (id !== zoneId) throw new CfError(404, 7003, `Could not route to /zones/${id}/dns_records, perhaps your object identifier is invalid?`);
    return store;
  };

  // Auth, request log and fault injection in front of every route.
  app.addHook('preHandler', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${token}`) return fail(reply, new CfError(403, 10000, 'Authentication error'));
    const i = faults.findIndex((f) => f.times > 0 && (!f.when || f.when({ method: req.method, url: req.url, body: req.body })));
    if (i < 0) return;
    const f = faults[i];
    f.times--;
    if (f.afterCommit) {
      (req as any).faultAfter = f;
      return;
    }
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

  app.get('/client/v4/zones/:zone/dns_records', async (req, reply) => {
    const zone = zoneOf(req);
    const q = req.query as Record<string, string>;
    const perPage = Number(q.per_page ?? 100);
    const page = Number(q.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 5 || perPage > 5_000_000) throw new CfError(400, 1004, 'per_page must be 5..5000000');
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
    const id = (req.params as { id: string }).id;
    if (!zone.has(id)) throw new CfError(404, 81044, 'Record does not exist.');
    const r = validate(req.body, zone, id);
    zone.set(id, r);
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
      const r = validate({ ...old, ...p }, work, p.id);
      work.set(p.id, r);
      result.patches.push(view(r));
    }
    for (const p of body.puts ?? []) {
      if (!work.has(p.id)) throw new CfError(404, 81044, `Record ${p.id} does not exist.`);
      const r = validate(p, work, p.id);
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
