import type { ClientLocator } from '../geo/client-locator.js';
import type { GeoLocation } from '../geo/geo-lookup.js';
import { ecsScope, outcomeFor, pickRegion } from '../steering/answer-plan.js';
import type { Random } from '../steering/types.js';
import { isSteeredType, steeredAnswer, type NameNode } from './answer-table.js';
import { EMPTY_SECTION, prebuilt, type PrebuiltAnswer } from './prebuilt.js';
import { ParsedQuery, parseQuery, Verdict } from './query-parser.js';
import { RateDecision } from './rate-limiter.js';
import { writeAnswer, writeError } from './response-writer.js';
import type { ServingState } from './serving-state.js';
import { RCODE } from './wire.js';

/** Which transport carried a query. */
export type Transport = 'udp' | 'tcp';

/** What a steered answer was: one object per handler, reused for every query (copy what you keep). */
export interface SteeredInfo {
  name: string;
  region: string | undefined;
  failOpen: boolean;
}

/** Told about every answered query; metrics bind their label children once and count here. */
export interface QueryObserver {
  /**
   * `zone` is undefined for REFUSED and malformed queries; `steered` is set for steered
   * answers and is only valid during the call (the handler reuses it: no allocation per query).
   */
  answered(transport: Transport, qtype: number, rcode: number, zone: string | undefined, steered: SteeredInfo | undefined): void;
}

const NO_OBSERVER: QueryObserver = { answered() {} };
const TCP_LIMIT = 65535;
/** Written with a size limit of 0, so only header, question and OPT go out, with TC set. */
const SLIP_ANSWER = prebuilt(RCODE.NOERROR, true, EMPTY_SECTION);

/** Answers DNS messages; what the listeners call (the handler itself, or a timing wrapper around it). */
export interface MessageHandler {
  /** One DNS message in, the response bytes out, or undefined to drop it. `remoteAddress` is the source address. */
  handle(msg: Buffer, transport: Transport, remoteAddress: string): Buffer | undefined;
}

/** The hot path: packet in, response bytes out (or undefined to drop). Synchronous, no I/O. */
export class QueryHandler implements MessageHandler {
  private readonly q = new ParsedQuery();
  private readonly v6 = new Uint8Array(16);
  private readonly steeredInfo: SteeredInfo = { name: '', region: undefined, failOpen: false };

  constructor(
    private serving: ServingState,
    private readonly observer: QueryObserver = NO_OBSERVER,
    private readonly rand: Random = Math.random,
  ) {}

  /** Swaps what queries are answered from; a query in progress finishes on the old state. */
  setServing(serving: ServingState): void {
    this.serving = serving;
  }

  /** Answers one DNS message. `remoteAddress` is the source address, used when the query has no ECS. */
  handle(msg: Buffer, transport: Transport, remoteAddress: string): Buffer | undefined {
    const s = this.serving;
    const q = parseQuery(msg, this.q);
    if (q.verdict === Verdict.Drop) return undefined;
    if (transport === 'udp' && s.limiter !== undefined) {
      const decision = s.limiter.decide(remoteAddress);
      if (decision === RateDecision.Drop) return undefined;
      // a slip: header, question and OPT with TC set, so a real client retries over TCP
      if (decision === RateDecision.Slip) return q.verdict === Verdict.Ok ? writeAnswer(msg, q, SLIP_ANSWER, 0, 0, s.maxUdpPayload) : undefined;
    }
    if (q.verdict === Verdict.Error) {
      this.observer.answered(transport, q.qtype, q.rcode, undefined, undefined);
      return writeError(msg, q, q.rcode, s.maxUdpPayload);
    }
    const limit = transport === 'tcp' ? TCP_LIMIT : q.hasOpt ? Math.min(q.udpSize, s.maxUdpPayload) : 512;
    const node = s.table.nodes.get(q.nameKey);
    if (node === undefined) return this.answerMissing(s, msg, q, transport, limit);

    let answer: PrebuiltAnswer | undefined;
    let scope = 0;
    let steeredInfo: SteeredInfo | undefined;
    if (node.referral !== undefined) {
      answer = node.referral;
    } else if (node.steered !== undefined && (isSteeredType(q.qtype) || (node.steered.plan.hasCnameRegion && !node.byType.has(q.qtype)))) {
      const location = this.locate(s.locator, msg, q, remoteAddress);
      const outcome = outcomeFor(node.steered.plan, location.country, location.continent);
      const region = pickRegion(outcome, this.rand);
      answer = steeredAnswer(node.steered, region, q.qtype, node.zone, this.rand);
      if (q.ecsFamily !== 0) scope = ecsScope(location.prefixLength, q.ecsSourcePrefix);
      steeredInfo = this.steeredInfo;
      steeredInfo.name = node.name;
      steeredInfo.region = region;
      steeredInfo.failOpen = outcome.failOpen;
    } else if (node.cname !== undefined) {
      answer = node.byType.get(q.qtype) ?? node.cname;
    } else {
      answer = node.byType.get(q.qtype) ?? (q.qtype === 255 ? node.any : undefined) ?? node.zone.nodata;
    }
    this.observer.answered(transport, q.qtype, answer.rcode, node.zone.name, steeredInfo);
    return writeAnswer(msg, q, answer, scope, limit, s.maxUdpPayload);
  }

  /** No node for the name: referral below a cut, NXDOMAIN inside a zone, REFUSED outside. */
  private answerMissing(s: ServingState, msg: Buffer, q: ParsedQuery, transport: Transport, limit: number): Buffer {
    const key = q.nameKey;
    let encloser: NameNode | undefined;
    for (let i = key.charCodeAt(0) + 1; i < key.length - 1; i += key.charCodeAt(i) + 1) {
      encloser = s.table.nodes.get(key.slice(i));
      if (encloser !== undefined) break;
    }
    if (encloser === undefined) {
      this.observer.answered(transport, q.qtype, RCODE.REFUSED, undefined, undefined);
      return writeError(msg, q, RCODE.REFUSED, s.maxUdpPayload);
    }
    const answer = encloser.referral ?? encloser.zone.nxdomain;
    this.observer.answered(transport, q.qtype, answer.rcode, encloser.zone.name, undefined);
    return writeAnswer(msg, q, answer, 0, limit, s.maxUdpPayload);
  }

  /** The client's location: from a usable ECS option, else from the source address. */
  private locate(locator: ClientLocator, msg: Buffer, q: ParsedQuery, remoteAddress: string): GeoLocation {
    if (q.ecsFamily === 1 && q.ecsSourcePrefix > 0) {
      const m = q.ecsAddressOffset;
      const n = q.ecsAddressLength;
      const addr = ((n > 0 ? msg[m] : 0) * 0x1000000 + (n > 1 ? msg[m + 1] << 16 : 0) + (n > 2 ? msg[m + 2] << 8 : 0) + (n > 3 ? msg[m + 3] : 0)) >>> 0;
      return locator.locateV4(addr, q.ecsSourcePrefix);
    }
    if (q.ecsFamily === 2 && q.ecsSourcePrefix > 0) {
      const v6 = this.v6;
      v6.fill(0);
      for (let i = 0; i < q.ecsAddressLength; i++) v6[i] = msg[q.ecsAddressOffset + i];
      return locator.locateV6(v6, 0, q.ecsSourcePrefix);
    }
    return locator.locateText(remoteAddress);
  }
}
