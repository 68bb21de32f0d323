import { FieldError, ipv4Field, ipv6Field, need } from './codec.js';
import { decodeEscapes, parseBase64, presentCharString } from './fields.js';
import type { SvcParam } from './record-data.js';
import { RdataDecodeError, RdataReader, RdataWriter } from './wire-io.js';
import type { Token } from '../zone-file/tokenizer.js';

// SvcParams of SVCB and HTTPS: presentation per RFC 9460 2.1 and appendix A, wire per 2.2.
// Registered keys: RFC 9460 14.3.2 (0-6), RFC 9461 (7 dohpath), RFC 9540 (8 ohttp).

const KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp'] as const;

/** The key number of a key name or keyNNNNN (lower case only, no leading zeros: RFC 9460 2.1). */
export function keyNumber(name: string): number | undefined {
  const known = (KEY_NAMES as readonly string[]).indexOf(name);
  if (known >= 0) return known;
  const m = /^key(0|[1-9]\d{0,4})$/.exec(name);
  return m && Number(m[1]) <= 65535 ? Number(m[1]) : undefined;
}

/** The presentation name of a key number. */
export function keyName(key: number): string {
  return KEY_NAMES[key] ?? `key${key}`;
}

/** Items of a comma-separated value list (RFC 9460 A.1): "\," is a comma and "\\" a backslash inside an item. */
function valueList(octets: Buffer, what: string): Buffer[] {
  const items: Buffer[] = [];
  let item: number[] = [];
  for (let i = 0; i < octets.length; i++) {
    const b = octets[i];
    if (b === 0x5c) {
      const next = octets[i + 1];
      if (next !== 0x2c && next !== 0x5c) throw new FieldError(`${what}: a backslash inside a list item must escape "," or "\\" (RFC 9460 A.1)`);
      item.push(next);
      i++;
    } else if (b === 0x2c) {
      if (item.length === 0) throw new FieldError(`${what}: an empty item in the list`);
      items.push(Buffer.from(item));
      item = [];
    } else {
      item.push(b);
    }
  }
  if (item.length === 0) throw new FieldError(`${what}: ${items.length === 0 ? 'the list is empty' : 'an empty item at the end of the list'}`);
  items.push(Buffer.from(item));
  return items;
}

function hints<K extends 4 | 6>(key: K, value: Buffer, parse: (text: string, what: string) => string): string[] | 'steered' {
  const text = value.toString('latin1');
  if (text === 'steered') return 'steered';
  return valueList(value, keyName(key)).map((item) => parse(item.toString('latin1'), `an ${keyName(key)} item`));
}

/** Parses one `key` or `key=value` token. */
export function parseSvcParam(token: Token): SvcParam {
  const eq = token.text.indexOf('=');
  const name = eq < 0 ? token.text : token.text.slice(0, eq);
  const key = keyNumber(name);
  if (key === undefined) throw new FieldError(`unknown SvcParam key ${JSON.stringify(name)}; known: ${KEY_NAMES.join(', ')}, or keyNNNNN (lower case)`);
  const value = eq < 0 ? undefined : need(decodeEscapes(token.text.slice(eq + 1)));
  const generic = name.startsWith('key');
  if (generic) return { key, name: 'opaque', value: value ?? Buffer.alloc(0) };
  const noValue = key === 2 || key === 8;
  if (noValue) {
    if (value !== undefined) throw new FieldError(`${name} takes no value`);
    return key === 2 ? { key, name: 'no-default-alpn' } : { key, name: 'ohttp' };
  }
  if (value === undefined || value.length === 0) throw new FieldError(`${name} needs a value, like ${EXAMPLES[key]}`);
  switch (key) {
    case 0: {
      const keys = valueList(value, name).map((item) => {
        const n = keyNumber(item.toString('latin1'));
        if (n === undefined) throw new FieldError(`mandatory: unknown key ${JSON.stringify(item.toString('latin1'))}`);
        return n;
      });
      return { key, name: 'mandatory', keys: keys.sort((a, b) => a - b) };
    }
    case 1:
      return { key, name: 'alpn', ids: valueList(value, name).map((id) => checkAlpnId(id)) };
    case 3: {
      const text = value.toString('latin1');
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new FieldError(`port: expected a port 0..65535, got ${JSON.stringify(text)}`);
      return { key, name: 'port', port: Number(text) };
    }
    case 4:
      return { key, name: 'ipv4hint', addresses: hints(4, value, ipv4Field) };
    case 5:
      return { key, name: 'ech', config: need(parseBase64([{ ...token, text: value.toString('latin1') }], 'ech (an ECHConfigList)')) };
    case 6:
      return { key, name: 'ipv6hint', addresses: hints(6, value, ipv6Field) };
    default:
      return { key: 7, name: 'dohpath', template: checkDohPath(value) };
  }
}

const EXAMPLES: Readonly<Record<number, string>> = {
  0: 'mandatory=alpn,port',
  1: 'alpn=h2,h3',
  3: 'port=8443',
  4: 'ipv4hint=192.0.2.1,192.0.2.2 or ipv4hint=steered',
  5: 'ech="AEj+DQBE..."',
  6: 'ipv6hint=2001:db8::1 or ipv6hint=steered',
  7: 'dohpath=/dns-query{?dns}',
};

function checkAlpnId(id: Buffer): Buffer {
  if (id.length > 255) throw new FieldError(`alpn: an id of ${id.length} octets; ALPN ids have at most 255`);
  return id;
}

/** RFC 9461 5: a relative URI Template (RFC 6570) with a "dns" variable. */
function checkDohPath(template: Buffer): Buffer {
  const text = template.toString('utf8');
  if (!text.startsWith('/') || !/\{[^}]*\bdns\b[^}]*\}/.test(text)) {
    throw new FieldError(`dohpath: expected a relative URI template with a "dns" variable like /dns-query{?dns} (RFC 9461 5), got ${JSON.stringify(text)}`);
  }
  return template;
}

function listText(items: readonly Buffer[]): Buffer {
  // escape at list level (RFC 9460 A.1) before the character-string escapes apply
  return Buffer.concat(items.flatMap((item, i) => [...(i > 0 ? [Buffer.from(',')] : []), Buffer.from(item.toString('latin1').replace(/[\\,]/g, (c) => `\\${c}`), 'latin1')]));
}

/** Presentation form of one SvcParam. */
export function presentSvcParam(p: SvcParam): string {
  switch (p.name) {
    case 'mandatory':
      return `mandatory=${p.keys.map(keyName).join(',')}`;
    case 'alpn':
      return `alpn=${presentCharString(listText(p.ids))}`;
    case 'no-default-alpn':
    case 'ohttp':
      return p.name;
    case 'port':
      return `port=${p.port}`;
    case 'ipv4hint':
    case 'ipv6hint':
      return `${p.name}=${p.addresses === 'steered' ? 'steered' : p.addresses.join(',')}`;
    case 'ech':
      return `ech=${p.config.toString('base64')}`;
    case 'dohpath':
      return `dohpath=${presentCharString(p.template)}`;
    case 'opaque':
      return p.value.length === 0 ? `key${p.key}` : `key${p.key}=${presentCharString(p.value)}`;
  }
}

/** Addresses an answer puts in place of `ipv4hint=steered` / `ipv6hint=steered`. */
export interface SteeredHints {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/** Writes one SvcParam (key, length, value); steered hints without addresses are left out. */
export function encodeSvcParam(p: SvcParam, w: RdataWriter, steered: SteeredHints | undefined): void {
  const body = paramValue(p, steered);
  if (body === undefined) return;
  if (body.length > 65535) throw new FieldError(`${keyName(p.key)} is ${body.length} octets; a SvcParam value has at most 65535`);
  w.u16(p.key).u16(body.length).bytes(body);
}

function paramValue(p: SvcParam, steered: SteeredHints | undefined): Buffer | undefined {
  switch (p.name) {
    case 'mandatory':
      return Buffer.from(p.keys.flatMap((k) => [k >> 8, k & 0xff]));
    case 'alpn':
      return Buffer.concat(p.ids.flatMap((id) => [Buffer.of(id.length), id]));
    case 'no-default-alpn':
    case 'ohttp':
      return Buffer.alloc(0);
    case 'port':
      return Buffer.of(p.port >> 8, p.port & 0xff);
    case 'ipv4hint': {
      const list = p.addresses === 'steered' ? (steered?.ipv4 ?? []) : p.addresses;
      return list.length === 0 ? undefined : list.reduce((w, a) => w.ipv4(a), new RdataWriter()).finish();
    }
    case 'ipv6hint': {
      const list = p.addresses === 'steered' ? (steered?.ipv6 ?? []) : p.addresses;
      if (list.length === 0) return undefined;
      return list.reduce((w, a) => w.ipv6(a), new RdataWriter()).finish();
    }
    case 'ech':
      return p.config;
    case 'dohpath':
      return p.template;
    case 'opaque':
      return p.value;
  }
}

/** Reads the value of one SvcParam whose key and length were read already. */
export function decodeSvcParam(key: number, value: Buffer): SvcParam {
  const what = keyName(key);
  const r = new RdataReader(value);
  const fixed = (n: number) => {
    if (value.length !== n) throw new RdataDecodeError(`${what} has ${value.length} octets, expected ${n}`);
  };
  const list = (size: number, read: () => string) => {
    if (value.length === 0 || value.length % size !== 0) throw new RdataDecodeError(`${what} has ${value.length} octets, expected a non-zero multiple of ${size}`);
    const out: string[] = [];
    while (r.remaining > 0) out.push(read());
    return out;
  };
  switch (key) {
    case 0: {
      const keys: number[] = [];
      if (value.length === 0 || value.length % 2 !== 0) throw new RdataDecodeError(`mandatory has ${value.length} octets, expected a non-zero even count`);
      while (r.remaining > 0) keys.push(r.u16('a mandatory key'));
      return { key, name: 'mandatory', keys };
    }
    case 1: {
      const ids: Buffer[] = [];
      do ids.push(r.charString('an alpn id'));
      while (r.remaining > 0);
      if (ids.some((id) => id.length === 0)) throw new RdataDecodeError('alpn has an empty id');
      return { key, name: 'alpn', ids };
    }
    case 2:
      fixed(0);
      return { key, name: 'no-default-alpn' };
    case 3:
      fixed(2);
      return { key, name: 'port', port: r.u16('the port') };
    case 4:
      return { key, name: 'ipv4hint', addresses: list(4, () => r.ipv4('an ipv4hint')) };
    case 5:
      if (value.length === 0) throw new RdataDecodeError('ech is empty');
      return { key, name: 'ech', config: Buffer.from(value) };
    case 6:
      return { key, name: 'ipv6hint', addresses: list(16, () => r.ipv6('an ipv6hint')) };
    case 7:
      return { key, name: 'dohpath', template: Buffer.from(value) };
    case 8:
      fixed(0);
      return { key, name: 'ohttp' };
    default:
      return { key, name: 'opaque', value: Buffer.from(value) };
  }
}
