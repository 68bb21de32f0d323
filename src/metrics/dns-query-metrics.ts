import type { Counter } from 'prom-client';
import type { QueryObserver, Transport } from '../dns/query-handler.js';

// The per-query side of the metrics. A query adds 1 to a plain number in a per-zone array
// indexed by small integers; the prom-client counters are filled from those numbers when scraped.
// (prom-client's bound label children still hash their labels into a string and allocate a
// result object on every inc(): at 20k queries/s that was garbage the young-generation GC
// had to sweep, pausing the query loop.)

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

type QueryLabels = { zone: string; qtype: string; rcode: string; transport: Transport };

/** The labels of a counter slot, made on the slot's first query. */
function slotLabels(zone: string, qi: number, ri: number, transport: Transport): QueryLabels {
  return { zone, qtype: QTYPE_LABELS[qi], rcode: RCODE_LABELS[ri], transport };
}

/** Slots per zone: transport x qtype x rcode. */
const ZONE_SLOTS = 2 * N_QTYPE * N_RCODE;

/**
 * One zone's query counts, dense and preallocated: a sparse array indexed up to a thousand
 * slots ahead would fall into V8's slow dictionary mode and stay there.
 */
interface ZoneCounts {
  readonly counts: Float64Array;
  /** Labels of each used slot, set on its first query. */
  readonly labels: (QueryLabels | undefined)[];
}

/** One (name, region) pair of steered answers and how many there were. */
interface AnswerCount {
  readonly name: string;
  readonly region: string;
  count: number;
  failOpen: number;
}

/** The QueryObserver behind geosteer_dns_queries_total, _answers_total and _fail_open_answers_total. */
export class DnsQueryMetrics implements QueryObserver {
  private readonly zones = new Map<string, ZoneCounts>();
  private readonly answerCounts = new Map<string, Map<string, AnswerCount>>();

  // answered() runs inlined into the DNS handler, whose inlining budget is small: the first-query
  // branches (a zone's arrays, a slot's labels, a name's or region's entry) are calls of their own.
  answered(transport: Transport, qtype: number, rcode: number, zone: string | undefined, steered: { name: string; region: string | undefined; failOpen: boolean } | undefined): void {
    const z = zone ?? NO_ZONE;
    const zc = this.zones.get(z) ?? this.addZone(z);
    const qi = QTYPE_INDEX[qtype & 0xffff];
    const ri = rcodeIndex(rcode);
    const slot = ((transport === 'udp' ? 0 : N_QTYPE) + qi) * N_RCODE + ri;
    if (zc.labels[slot] === undefined) zc.labels[slot] = slotLabels(z, qi, ri, transport);
    zc.counts[slot]++;
    if (steered !== undefined) this.answeredSteered(steered.name, steered.region ?? NO_REGION, steered.failOpen);
  }

  private addZone(zone: string): ZoneCounts {
    const zc: ZoneCounts = { counts: new Float64Array(ZONE_SLOTS), labels: new Array<QueryLabels | undefined>(ZONE_SLOTS).fill(undefined) };
    this.zones.set(zone, zc);
    return zc;
  }

  private answeredSteered(name: string, region: string, failOpen: boolean): void {
    const entry = this.answerCounts.get(name)?.get(region) ?? this.addAnswerCount(name, region);
    entry.count++;
    if (failOpen) entry.failOpen++;
  }

  private addAnswerCount(name: string, region: string): AnswerCount {
    let byRegion = this.answerCounts.get(name);
    if (byRegion === undefined) {
      byRegion = new Map();
      this.answerCounts.set(name, byRegion);
    }
    const entry = { name, region, count: 0, failOpen: 0 };
    byRegion.set(region, entry);
    return entry;
  }

  /** Sets geosteer_dns_queries_total to the counts so far (from the counter's collect()). */
  publishQueries(counter: Counter<'zone' | 'qtype' | 'rcode' | 'transport'>): void {
    counter.reset();
    for (const { counts, labels } of this.zones.values()) {
      labels.forEach((l, slot) => {
        if (l !== undefined) counter.inc(l, counts[slot]);
      });
    }
  }

  /** Sets geosteer_dns_answers_total to the counts so far. */
  publishAnswers(counter: Counter<'name' | 'region'>): void {
    counter.reset();
    for (const byRegion of this.answerCounts.values()) {
      for (const e of byRegion.values()) counter.inc({ name: e.name, region: e.region }, e.count);
    }
  }

  /** Sets geosteer_dns_fail_open_answers_total to the counts so far (names that had any). */
  publishFailOpen(counter: Counter<'name'>): void {
    counter.reset();
    const byName = new Map<string, number>();
    for (const byRegion of this.answerCounts.values()) {
      for (const e of byRegion.values()) if (e.failOpen > 0) byName.set(e.name, (byName.get(e.name) ?? 0) + e.failOpen);
    }
    for (const [name, count] of byName) counter.inc({ name }, count);
  }
}
