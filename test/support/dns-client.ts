import dns2 from 'dns2';
import dgram from 'node:dgram';
import net from 'node:net';

const { Packet } = dns2;

/** What to ask; `ecs` is "ADDRESS/PREFIX" (IPv4 or IPv6). */
export interface QueryOptions {
  name: string;
  /** A type dns2 has a name for, or any type code (DS is 43). */
  type?: keyof typeof Packet.TYPE | number;
  ecs?: string;
  /** false: no OPT record; otherwise the OPT fields. Default: OPT with a 1232-byte payload. */
  edns?: false | { udpSize?: number; version?: number; dnssecOk?: boolean };
  id?: number;
  recursionDesired?: boolean;
}

/** A DNS query built by dns2 (the real wire encoder), ready to send. */
export function buildQuery(opts: QueryOptions): Buffer {
  const packet = new Packet();
  packet.header.id = opts.id ?? Math.floor(Math.random() * 65535);
  packet.header.rd = opts.recursionDesired ? 1 : 0;
  const type = typeof opts.type === 'number' ? opts.type : Packet.TYPE[opts.type ?? 'A'];
  packet.questions.push({ name: opts.name, type, class: Packet.CLASS.IN } as never);
  if (opts.edns !== false) {
    const rdata: unknown[] = [];
    if (opts.ecs) {
      const [ip, prefix] = opts.ecs.split('/');
      rdata.push({ ednsCode: 8, family: ip.includes(':') ? 2 : 1, sourcePrefixLength: Number(prefix), scopePrefixLength: 0, ip });
    }
    const edns = opts.edns ?? {};
    packet.additionals.push(Packet.Resource.EDNS(rdata as never, { udpPayloadSize: edns.udpSize ?? 1232, version: edns.version ?? 0, doFlag: edns.dnssecOk ?? false } as never) as never);
  }
  return Buffer.from(packet.toBuffer());
}

/** Sends raw bytes over UDP; resolves with the reply, or undefined when none comes within `timeoutMs`. */
export function sendUdp(port: number, msg: Buffer, host = '127.0.0.1', timeoutMs = 1500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(reply: Buffer | undefined) {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
    socket.on('message', (reply) => finish(reply));
    socket.on('error', () => finish(undefined));
    socket.send(msg, port, host);
  });
}

/** Sends length-prefixed messages over one TCP connection; resolves with the replies received before it closes or times out. */
export function sendTcp(port: number, msgs: Buffer[], host = '127.0.0.1', timeoutMs = 1500, expected = msgs.length): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const replies: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const socket = net.connect({ port, host });
    const timer = setTimeout(() => finish(), timeoutMs);
    function finish() {
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    }
    socket.on('connect', () => {
      for (const m of msgs) {
        const frame = Buffer.alloc(2 + m.length);
        frame.writeUInt16BE(m.length, 0);
        m.copy(frame, 2);
        socket.write(frame);
      }
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= expected) finish();
    });
    socket.on('close', () => finish());
    socket.on('error', () => finish());
  });
}

/** A reply decoded by dns2, with the raw bytes for header-level checks. */
export interface Reply {
  raw: Buffer;
  packet: InstanceType<typeof Packet>;
  rcode: number;
  aa: boolean;
  tc: boolean;
  /** The ECS option of the reply, when present. */
  ecs: { family: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string } | undefined;
  opt: { udpSize: number; version: number; extendedRcode: number } | undefined;
  /** Answer-section data as text: addresses, targets, TXT strings. */
  answers: string[];
}

/** Decodes a reply with dns2. */
export function decodeReply(raw: Buffer): Reply {
  const packet = Packet.parse(raw);
  const opt = packet.additionals.find((r) => r.type === Packet.TYPE.EDNS) as
    | { class: number; version: number; extendedRcode: number; rdata: { ednsCode: number; family: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string }[] }
    | undefined;
  return {
    raw,
    packet,
    rcode: (raw[3] & 0x0f) | ((opt?.extendedRcode ?? 0) << 4),
    aa: (raw[2] & 0x04) !== 0,
    tc: (raw[2] & 0x02) !== 0,
    ecs: opt?.rdata.find((o) => o.ednsCode === 8),
    opt: opt ? { udpSize: opt.class, version: opt.version, extendedRcode: opt.extendedRcode } : undefined,
    answers: packet.answers.map((a) => {
      const r = a as unknown as Record<string, unknown>;
      return String(r.address ?? r.domain ?? r.ns ?? r.exchange ?? (Array.isArray(r.data) ? r.data.join('') : r.data) ?? r.primary ?? r.value ?? '');
    }),
  };
}

/** Builds, sends and decodes one query; throws when no reply arrives. */
export async function ask(port: number, opts: QueryOptions & { transport?: 'udp' | 'tcp'; host?: string }): Promise<Reply> {
  const msg = buildQuery(opts);
  const raw = opts.transport === 'tcp' ? (await sendTcp(port, [msg], opts.host))[0] : await sendUdp(port, msg, opts.host);
  if (!raw) throw new Error(`no reply to ${opts.name} ${opts.type ?? 'A'} over ${opts.transport ?? 'udp'}`);
  return decodeReply(raw);
}
