import type { ClientLocator } from '../geo/client-locator.js';
import type { GeoLocation } from '../geo/geo-lookup.js';
import { ecsScope, outcomeFor, pickRegion } from '../steering/answer-plan.js';
import type { Random } from '../steering/types.js';
import { isSteeredType, steeredAnswer, steersType, type NameNode } from './answer-table.js';
import { EMPTY_SECTION, prebuilt, type ChainPrefix, type PrebuiltAnswer } from './prebuilt.js';
import { ParsedQuery, parseQuery, Verdict } from './query-parser.js';
import { prefixKeyOfBytes, RateDecision } from './rate-limiter.js';
import { writeAnswer, writeAnswerInto, writeError, writeErrorInto } from './response-writer.js';
import type { ServingState } from './serving-state.js';
import { HEADER_SIZE, RCODE, TYPE } from './wire.js';

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

/** A UDP client's address as bytes (the batch path): one object reused for every packet. */
export interface ClientAddressBytes {
  /** 4 or 6. */
  family: number;
  /** The address is bytes[offset, offset + 4) for IPv4, [offset, offset + 16) for IPv6. */
  bytes: Uint8Array;
  offset: number;
}

/** Answers DNS messages; what the listeners call (the handler itself, or a timing wrapper around it). */
export interface MessageHandler {
  /** One DNS message in, the response bytes out, or undefined to drop it. `remoteAddress` is the source address. */
  handle(msg: Buffer, transport: Transport, remoteAddress: string): Buffer | undefined;
  /**
   * handle() for the UDP batch path, byte for byte the same reply: the query is msg[0, length),
   * the client's address is bytes, and the reply is written into `out` from offset 0.
   * Returns the reply's length, or -1 to drop.
   */
  handleInto(msg: Buffer, length: number, client: ClientAddressBytes, out: Buffer): number;
}

/** What resolve() decided; the details are in the handler's reply fields. */
const Reply = { Drop: 0, Error: 1, Answer: 2 } as const;
type Reply = (typeof Reply)[keyof typeof Reply];

const NO_OBSERVER: QueryObserver = { answered() {} };
const TCP_LIMIT = 65535;
/** Written with a size limit of 0, so only header, question and OPT go out, with TC set. */
const SLIP_ANSWER = prebuilt(RCODE.NOERROR, true, EMPTY_SECTION);

/** The hot path: packet in, response bytes out (or undefined to drop). Synchronous, no I/O. */
export class QueryHandler implements MessageHandler {
  private readonly q = new ParsedQuery();
  private readonly v6 = new Uint8Array(16);
  private readonly steeredInfo: SteeredInfo = { name: '', region: undefined, failOpen: false };
  // The last reply resolve() decided on (fields, not an object per query).
  private replyAnswer: PrebuiltAnswer = SLIP_ANSWER;
  private replyScope = 0;
  private replyPrefix: ChainPrefix | undefined = undefined;
  private replyLimit = 0;
  private replyRcode = 0;
  private replyMaxUdp = 512;

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
    const reply = this.resolve(msg, msg.length, transport, remoteAddress);
    if (reply === Reply.Answer) return writeAnswer(msg, this.q, this.replyAnswer, this.replyScope, this.replyLimit, this.replyMaxUdp, this.replyPrefix);
    if (reply === Reply.Error) return writeError(msg, this.q, this.replyRcode, this.replyMaxUdp);
    return undefined;
  }

  handleInto(msg: Buffer, length: number, client: ClientAddressBytes, out: Buffer): number {
    const reply = this.resolve(msg, length, 'udp', client);
    if (reply === Reply.Answer) return writeAnswerInto(out, msg, this.q, this.replyAnswer, this.replyScope, this.replyLimit, this.replyMaxUdp, this.replyPrefix);
    if (reply === Reply.Error) return writeErrorInto(out, msg, this.q, this.replyRcode, this.replyMaxUdp);
    return -1;
  }

  private answerWith(answer: PrebuiltAnswer, scope: number, limit: number, prefix: ChainPrefix | undefined): Reply {
    this.replyAnswer = answer;
    this.replyScope = scope;
    this.replyLimit = limit;
    this.replyPrefix = prefix;
    return Reply.Answer;
  }

  private errorWith(rcode: number): Reply {
    this.replyRcode = rcode;
    return Reply.Error;
  }

  /** Decides the reply to msg[0, length) into the reply fields. */
  private resolve(msg: Buffer, length: number, transport: Transport, remote: string | ClientAddressBytes): Reply {
    const s = this.serving;
    this.replyMaxUdp = s.maxUdpPayload;
    const q = parseQuery(msg, this.q, length);
    if (q.verdict === Verdict.Drop) return Reply.Drop;
    if (transport === 'udp' && s.limiter !== undefined) {
      const decision = typeof remote === 'string' ? s.limiter.decide(remote) : s.limiter.decideKey(prefixKeyOfBytes(remote.family, remote.bytes, remote.offset));
      if (decision === RateDecision.Drop) return Reply.Drop;
      // a slip: header, question and OPT with TC set, so a real client retries over TCP
      if (decision === RateDecision.Slip) return q.verdict === Verdict.Ok ? this.answerWith(SLIP_ANSWER, 0, 0, undefined) : Reply.Drop;
    }
    if (q.verdict === Verdict.Error) {
      this.observer.answered(transport, q.qtype, q.rcode, undefined, undefined);
      return this.errorWith(q.rcode);
    }
    const limit = transport === 'tcp' ? TCP_LIMIT : q.hasOpt ? Math.min(q.udpSize, s.maxUdpPayload) : 512;
    let node = s.table.nodes.get(q.nameKey);
    if (node === undefined) {
      const encloser = this.closestEncloser(s, msg, q);
      if (encloser === undefined) {
        this.observer.answered(transport, q.qtype, RCODE.REFUSED, undefined, undefined);
        return this.errorWith(RCODE.REFUSED);
      }
      if (encloser.referral !== undefined || encloser.wildcard === undefined) {
        const missing = encloser.referral ?? encloser.zone.nxdomain;
        this.observer.answered(transport, q.qtype, missing.rcode, encloser.zone.name, undefined);
        return this.answerWith(missing, 0, limit, undefined);
      }
      node = encloser.wildcard; // the wildcard stands for the name (RFC 4592 3.3.1)
    }

    let answer: PrebuiltAnswer;
    let prefix: ChainPrefix | undefined;
    let scope = 0;
    let steeredInfo: SteeredInfo | undefined;
    // the name's own policy, or (a CNAME chain that ends at a steered name) the target's
    const chain = node.chain;
    const steered =
      node.steered !== undefined && (isSteeredType(q.qtype) || steersType(node.steered, q.qtype, node.byType))
        ? node.steered
        : chain !== undefined && steersType(chain.steered, q.qtype, node.byType)
          ? chain.steered
          : undefined;
    if (steered !== undefined) {
      const location = this.locate(s.locator, msg, q, remote);
      const outcome = outcomeFor(steered.plan, location.country, location.continent);
      const region = pickRegion(outcome, this.rand);
      if (steered === node.steered) {
        answer = steeredAnswer(steered, region, q.qtype, node.zone.nodata, this.rand);
      } else {
        // the chain's static records, then this client's answer
        answer = steeredAnswer(steered, region, q.qtype, chain!.nodata, this.rand);
        prefix = chain!.prefix;
      }
      if (q.ecsFamily !== 0) scope = ecsScope(location.prefixLength, q.ecsSourcePrefix);
      steeredInfo = this.steeredInfo;
      steeredInfo.name = steered.plan.policy.name;
      steeredInfo.region = region;
      steeredInfo.failOpen = outcome.failOpen;
    } else {
      // static data; at and below a zone cut the fallback is the referral
      answer = node.byType.get(q.qtype) ?? (q.qtype === TYPE.ANY ? node.any : node.fallback);
    }
    this.observer.answered(transport, q.qtype, answer.rcode, node.zone.name, steeredInfo);
    return this.answerWith(answer, scope, limit, prefix);
  }

  /** The deepest existing ancestor of a name that has no node (RFC 4592 3.3.1), or undefined outside our zones. */
  private closestEncloser(s: ServingState, msg: Buffer, q: ParsedQuery): NameNode | undefined {
    const key = q.nameKey;
    // label lengths read from the question in msg (the key is its folded copy): no
    // key.charCodeAt, a generic lookup while String.prototype is in dictionary mode (name-keys.ts)
    for (let i = msg[HEADER_SIZE] + 1; i < key.length - 1; i += msg[HEADER_SIZE + i] + 1) {
      const encloser = s.table.nodes.get(key.slice(i));
      if (encloser !== undefined) return encloser;
    }
    return undefined;
  }

  /** The client's location: from a usable ECS option, else from the source address. */
  private locate(locator: ClientLocator, msg: Buffer, q: ParsedQuery, remote: string | ClientAddressBytes): GeoLocation {
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
    return typeof remote === 'string' ? locator.locateText(remote) : locator.locateBytes(remote.family, remote.bytes, remote.offset);
  }
}
