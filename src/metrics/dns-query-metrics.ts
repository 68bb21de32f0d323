import type { Counter } from 'prom-client';
import type { QueryObserver, Transport } from '../dns/query-handler.js';

// The per-query side of the metrics. Label children are bound once, on the first query of
// each combination, and kept in flat arrays indexed by small integers, so a query costs a
// few array reads and one .inc() per counter: no label objects, no string building.

const QTYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  43: 'DS', 46: 'RRSIG', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
/** Zone label of queries outside every served zone (REFUSED) or too malformed to name one. */
export const NO_ZONE = '(none)';
/** Region label of a steered answer with no region (NODATA from an empty candidate list). */
export const NO_REGION = '(none)';

const QTYPE_LABELS = [...Object.values(QTYPE_NAMES), 'other'];
const QTYPE_OTHER = QTYPE_LABELS.length - 1;
/** qtype -> index into QTYPE_LABELS; 64 KiB once per process buys a branch-free lookup. */
const QTYPE_INDEX = new Uint8Array(65536).fill(QTYPE_OTHER);
Object.keys(QTYPE_NAMES).forEach((code, i) => (QTYPE_INDEX[Number(code)] = i));
const RCODE_LABELS = [...RCODE_NAMES, 'BADVERS', 'other'];
const RCODE_BADVERS = RCODE_NAMES.length;
const RCODE_OTHER = RCODE_LABELS.length - 1;
const N_QTYPE = QTYPE_LABELS.length;
const N_RCODE = RCODE_LABELS.length;

function rcodeIndex(rcode: number): number {
  if (rcode < RCODE_NAMES.length) return rcode;
  return rcode === 16 ? RCODE_BADVERS : RCODE_OTHER;
}

type Child = { inc(value?: number): void };

/** The QueryObserver that feeds geosteer_dns_queries_total, _answers_total and _fail_open_answers_total. */
export class DnsQueryMetrics implements QueryObserver {
  private readonly zoneIndex = new Map<string, number>();
  private readonly queryChildren: (Child | undefined)[] = [];
  private readonly answerChildren = new Map<string, Map<string, Child>>();
  private readonly failOpenChildren = new Map<string, Child>();

  constructor(
    private readonly queries: Counter<'zone' | 'qtype' | 'rcode' | 'transport'>,
    private readonly answers: Counter<'name' | 'region'>,
    private readonly failOpen: Counter<'name'>,
  ) {}

  answered(transport: Transport, qtype: number, rcode: number, zone: string | undefined, steered: { name: string; region: string | undefined; failOpen: boolean } | undefined): void {
    const z = zone ?? NO_ZONE;
    let zi = this.zoneIndex.get(z);
    if (zi === undefined) {
      zi = this.zoneIndex.size;
      this.zoneIndex.set(z, zi);
    }
    const ti = transport === 'udp' ? 0 : 1;
    const qi = QTYPE_INDEX[qtype & 0xffff];
    const ri = rcodeIndex(rcode);
    const slot = ((zi * 2 + ti) * N_QTYPE + qi) * N_RCODE + ri;
    let child = this.queryChildren[slot];
    if (child === undefined) {
      child = this.queries.labels({ zone: z, qtype: QTYPE_LABELS[qi], rcode: RCODE_LABELS[ri], transport });
      this.queryChildren[slot] = child;
    }
    child.inc();
    if (steered !== undefined) this.answeredSteered(steered.name, steered.region ?? NO_REGION, steered.failOpen);
  }

  private answeredSteered(name: string, region: string, failOpen: boolean): void {
    let byRegion = this.answerChildren.get(name);
    if (byRegion === undefined) {
      byRegion = new Map();
      this.answerChildren.set(name, byRegion);
    }
    let child = byRegion.get(region);
    if (child === undefined) {
      child = this.answers.labels({ name, region });
      byRegion.set(region, child);
    }
    child.inc();
    if (failOpen) {
      let fo = this.failOpenChildren.get(name);
      if (fo === undefined) {
        fo = this.failOpen.labels({ name });
        this.failOpenChildren.set(name, fo);
      }
      fo.inc();
    }
  }
}
