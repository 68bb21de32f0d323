import { FieldError, nameField, need, type RdataCodec } from './codec.js';
import { parseUint } from './fields.js';
import type { DataOf, SvcParam } from './record-data.js';
import { decodeSvcParam, encodeSvcParam, keyName, parseSvcParam, presentSvcParam, type SteeredHints } from './svc-params.js';
import { RdataDecodeError, type RdataWriter } from './wire-io.js';

// SVCB and HTTPS (RFC 9460 2.2): SvcPriority, TargetName, SvcParams. Both types share the
// syntax; HTTPS only differs in what clients do with it (RFC 9460 9).

type Svcb = DataOf<'SVCB' | 'HTTPS'>;

/** Why a set of params (sorted, one per key) is not self-consistent, or undefined. */
export function svcParamsProblem(priority: number, params: readonly SvcParam[]): string | undefined {
  // RFC 9460 2.4.2: AliasMode records carry no SvcParams
  if (priority === 0 && params.length > 0) return 'AliasMode (priority 0) takes no SvcParams (RFC 9460 2.4.2); use priority 1 or more for ServiceMode';
  const keys = new Set(params.map((p) => p.key));
  const mandatory = params.find((p) => p.name === 'mandatory');
  if (mandatory) {
    const seen = new Set<number>();
    for (const k of mandatory.keys) {
      if (k === 0) return 'mandatory cannot list mandatory itself (RFC 9460 8)';
      if (seen.has(k)) return `mandatory lists ${keyName(k)} twice`;
      seen.add(k);
      if (!keys.has(k)) return `mandatory lists ${keyName(k)}, which the record does not have (RFC 9460 8)`;
      const hint = params.find((p) => p.key === k);
      if (hint && (hint.name === 'ipv4hint' || hint.name === 'ipv6hint') && hint.addresses === 'steered') {
        return `${hint.name}=steered cannot be mandatory: it is left out of answers from a region without such addresses`;
      }
    }
  }
  // RFC 9460 7.1.1: no-default-alpn only makes sense with an alpn list
  if (keys.has(2) && !keys.has(1)) return 'no-default-alpn needs alpn as well (RFC 9460 7.1.1)';
  return undefined;
}

function sorted(params: SvcParam[]): SvcParam[] {
  params.sort((a, b) => a.key - b.key);
  for (let i = 1; i < params.length; i++) {
    if (params[i].key === params[i - 1].key) throw new FieldError(`SvcParam ${keyName(params[i].key)} appears twice (RFC 9460 2.2)`);
  }
  return params;
}

function codec<T extends 'SVCB' | 'HTTPS'>(type: T): RdataCodec<T> {
  return {
    parse(tokens, names) {
      if (tokens.length < 2) throw new FieldError(`expected "PRIORITY TARGET [PARAMS...]" like "1 . alpn=h2,h3", got ${tokens.length === 0 ? 'nothing' : JSON.stringify(tokens.map((t) => t.text).join(' '))}`);
      const priority = need(parseUint(tokens[0].text, 65535, 'the priority'));
      // "." is the owner itself in ServiceMode, "no service" in AliasMode (RFC 9460 2.5)
      const target = nameField(tokens[1], names, 'the target');
      const params = sorted(tokens.slice(2).map(parseSvcParam));
      const problem = svcParamsProblem(priority, params);
      if (problem) throw new FieldError(problem);
      return { type, priority, target, params } as DataOf<T>;
    },
    present: (d: Svcb) => [String(d.priority), `${d.target}.`, ...d.params.map(presentSvcParam)].join(' '),
    encode: (d: Svcb, w) => encodeSvcb(d, w, undefined),
    decode(r) {
      const priority = r.u16('the priority');
      const target = r.name('the target');
      const params: SvcParam[] = [];
      let last = -1;
      while (r.remaining > 0) {
        const key = r.u16('a SvcParam key');
        // RFC 9460 2.2: keys in strictly increasing order
        if (key <= last) throw new RdataDecodeError(`SvcParam keys out of order (${keyName(key)} after ${keyName(last)}); they must increase strictly`);
        last = key;
        params.push(decodeSvcParam(key, r.bytes(r.u16('a SvcParam length'), keyName(key))));
      }
      const problem = svcParamsProblem(priority, params);
      if (problem) throw new RdataDecodeError(problem);
      return { type, priority, target, params } as DataOf<T>;
    },
  };
}

/** Writes SVCB/HTTPS rdata; `steered` fills ipv4hint=steered / ipv6hint=steered (left out when undefined). */
export function encodeSvcb(d: Svcb, w: RdataWriter, steered: SteeredHints | undefined): void {
  w.u16(d.priority).name(d.target);
  for (const p of d.params) encodeSvcParam(p, w, steered);
}

export const SVCB = codec('SVCB');
export const HTTPS = codec('HTTPS');
