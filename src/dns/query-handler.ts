import type { GeoLocation } from '../geo/geo-lookup.js';
import { ecsScope, outcomeFor, pickRegion, type ScopeBasis } from '../steering/answer-plan.js';
import type { Random } from '../steering/types.js';
import { isSteeredType, steeredAnswer, steersType, type NameNode } from './answer-table.js';
import { EMPTY_SECTION, prebuilt, type ChainPrefix, type PrebuiltAnswer } from './prebuilt.js';
import { ParsedQuery, parseQuery, Verdict } from './query-parser.js';
import { prefixKeyOfBytes, RateDecision } from './rate-limiter.js';
import { writeAnswer, writeAnswerInto, writeError, writeErrorInto, type ReplyEdns } from './response-writer.js';
import { CookieCheck, SERVER_COOKIE_LENGTH, type ServerCookies } from './server-cookies.js';
import type { ServingState } from './serving-state.js';
import { CLASS_CH, HEADER_SIZE, RCODE, TYPE } from './wire.js';
import { isIPv4Mapped, parseIPv4, parseIPv6 } from '../shared/ip-address.js';
import { isNonGlobalV4, isNonGlobalV6 } from '../shared/special-addresses.js';

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
  /** The OPT extras of the reply being decided (NSID, server cookie): one object, refilled per query. */
  private readonly edns: ReplyEdns = { maxUdpPayload: 512, nsid: undefined, serverCookie: undefined };
  private readonly serverCookie = new Uint8Array(SERVER_COOKIE_LENGTH);
  private readonly clientIp = new Uint8Array(16);
  /** The ECS address of the query as located (IPv4 as a number, IPv6 in `v6`), for its span. */
  private ecsV4 = 0;
  /** What the steered answer's ECS scope is computed from (steering/answer-plan.ts ecsScope). */
  private readonly scope: ScopeBasis = { used: false, networkPrefix: 0, sourcePrefix: 0, family: 0, familyOffset: 0, placesWithinSource: undefined };
  /** The serving state's locator is the one that located the query: queries are answered synchronously, between setServing() calls. */
  private readonly placesWithinSource = () =>
    this.q.ecsFamily === 1 ? this.serving.locator.spanV4(this.ecsV4, this.q.ecsSourcePrefix) : this.serving.locator.spanV6(this.v6, 0, this.q.ecsSourcePrefix);

  constructor(
    private serving: ServingState,
    private readonly observer: QueryObserver = NO_OBSERVER,
    private readonly rand: Random = Math.random,
    /** Milliseconds since the epoch: the timestamp of server cookies (RFC 9018 4.3). */
    private readonly clock: () => number = Date.now,
  ) {
    this.applyServing();
  }

  /** Swaps what queries are answered from; a query in progress finishes on the old state. */
  setServing(serving: ServingState): void {
    this.serving = serving;
    this.applyServing();
  }

  /** What the serving state fixes for every reply until the next swap: set once here rather than per query. */
  private applyServing(): void {
    this.edns.maxUdpPayload = this.serving.maxUdpPayload;
    this.scope.placesWithinSource = this.serving.ecsScopeBeyondSource ? this.placesWithinSource : undefined;
  }

  /** Answers one DNS message. `remoteAddress` is the source address, used when the query has no ECS. */
  handle(msg: Buffer, transport: Transport, remoteAddress: string): Buffer | undefined {
    const reply = this.resolve(msg, msg.length, transport, remoteAddress);
    if (reply === Reply.Answer) return writeAnswer(msg, this.q, this.replyAnswer, this.replyScope, this.replyLimit, this.edns, this.replyPrefix);
    if (reply === Reply.Error) return writeError(msg, this.q, this.replyRcode, this.edns);
    return undefined;
  }

  handleInto(msg: Buffer, length: number, client: ClientAddressBytes, out: Buffer): number {
    const reply = this.resolve(msg, length, 'udp', client);
    if (reply === Reply.Answer) return writeAnswerInto(out, msg, this.q, this.replyAnswer, this.replyScope, this.replyLimit, this.edns, this.replyPrefix);
    if (reply === Reply.Error) return writeErrorInto(out, msg, this.q, this.replyRcode, this.edns);
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
    const edns = this.edns;
    edns.nsid = undefined;
    edns.serverCookie = undefined;
    const q = parseQuery(msg, this.q, length);
    if (q.verdict === Verdict.Drop) return Reply.Drop;
    if (transport === 'udp' && s.limiter !== undefined) {
      const decision = typeof remote === 'string' ? s.limiter.decide(remote) : s.limiter.decideKey(prefixKeyOfBytes(remote.family, remote.bytes, remote.offset));
      if (decision === RateDecision.Drop) return Reply.Drop;
      // a slip: header, question and OPT with TC set, so a real client retries over TCP
      if (decision === RateDecision.Slip) return q.verdict === Verdict.Ok ? this.answerWith(SLIP_ANSWER, 0, 0, undefined) : Reply.Drop;
    }
    if (q.optionsOk) {
      if (q.nsid) edns.nsid = s.nsid;
      if (q.cookieLength > 0 && s.cookies !== undefined) {
        const check = this.checkCookie(s.cookies, msg, q, remote);
        // RFC 7873 5.4: a query for a server cookie; BADCOOKIE only when it sent one that is not valid
        if (q.verdict === Verdict.CookieOnly) return this.fail(transport, q, check === CookieCheck.Invalid ? RCODE.BADCOOKIE : RCODE.NOERROR);
        // RFC 7873 5.2.3 choice 2, by configuration and over UDP only (TCP: "SHOULD choose (3)")
        if (check !== CookieCheck.Valid && s.requireCookies && transport === 'udp' && q.verdict === Verdict.Ok) return this.fail(transport, q, RCODE.BADCOOKIE);
      }
    }
    if (q.verdict === Verdict.CookieOnly) {
      // cookies are off: a message without a question is malformed, and answered without options
      edns.nsid = undefined;
      return this.fail(transport, q, RCODE.FORMERR);
    }
    if (q.verdict === Verdict.Error) return this.fail(transport, q, q.rcode);
    const limit = transport === 'tcp' ? TCP_LIMIT : q.hasOpt ? Math.min(q.udpSize, s.maxUdpPayload) : 512;
    if (q.qclass === CLASS_CH) return this.answerChaos(s, q, transport, limit);
    let node = s.table.nodes.get(q.nameKey);
    if (node === undefined) {
      const encloser = this.closestEncloser(s, msg, q);
      if (encloser === undefined) return this.fail(transport, q, RCODE.REFUSED);
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
      const location = this.locate(s, msg, q, remote);
      const outcome = outcomeFor(steered.plan, location.country, location.continent);
      const region = pickRegion(outcome, this.rand);
      if (steered === node.steered) {
        answer = steeredAnswer(steered, region, q.qtype, node.zone.nodata, this.rand);
      } else {
        // the chain's static records, then this client's answer
        answer = steeredAnswer(steered, region, q.qtype, chain!.nodata, this.rand);
        prefix = chain!.prefix;
      }
      if (q.ecsFamily !== 0) scope = ecsScope(steered.plan, outcome, this.scope);
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

  /** An error reply to a query no zone answers; counted without a zone. */
  private fail(transport: Transport, q: ParsedQuery, rcode: number): Reply {
    this.observer.answered(transport, q.qtype, rcode, undefined, undefined);
    return this.errorWith(rcode);
  }

  /** CHAOS: TXT for id.server, hostname.bind and version.bind when configured; anything else REFUSED (as Knot). */
  private answerChaos(s: ServingState, q: ParsedQuery, transport: Transport, limit: number): Reply {
    const answer = q.qtype === TYPE.TXT ? s.chaos.get(q.nameKey) : undefined;
    if (answer === undefined) return this.fail(transport, q, RCODE.REFUSED);
    this.observer.answered(transport, q.qtype, answer.rcode, undefined, undefined);
    return this.answerWith(answer, 0, limit, undefined);
  }

  /** Checks the query's cookie for the source address and sets the reply's server cookie (server-cookies.ts). */
  private checkCookie(cookies: ServerCookies, msg: Buffer, q: ParsedQuery, remote: string | ClientAddressBytes): CookieCheck {
    const now = Math.floor(this.clock() / 1000) >>> 0;
    let ip: Uint8Array = this.clientIp;
    let at = 0;
    let len = 4;
    if (typeof remote === 'string') {
      const v4 = parseIPv4(remote);
      if (v4 >= 0) {
        ip[0] = v4 >>> 24;
        ip[1] = (v4 >>> 16) & 0xff;
        ip[2] = (v4 >>> 8) & 0xff;
        ip[3] = v4 & 0xff;
      } else if (parseIPv6(remote, ip, 0)) {
        len = 16;
      } else {
        ip.fill(0, 0, 16);
        len = 16;
      }
    } else {
      ip = remote.bytes;
      at = remote.offset;
      len = remote.family === 4 ? 4 : 16;
    }
    // an IPv4 client on a dual-stack socket is the same client as over IPv4
    if (len === 16 && isIPv4Mapped(ip, at)) {
      at += 12;
      len = 4;
    }
    const check = cookies.check(msg, q.cookieOffset, q.cookieLength, ip, at, len, now, this.serverCookie);
    this.edns.serverCookie = this.serverCookie;
    return check;
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

  /**
   * The client's location: from a usable ECS option, else from the source address. An ECS
   * address inside a private, loopback, link-local, CGNAT or unique-local block is no client
   * location: with dns.ecs.private source_address the resolver's address decides instead.
   */
  private locate(s: ServingState, msg: Buffer, q: ParsedQuery, remote: string | ClientAddressBytes): GeoLocation {
    const locator = s.locator;
    this.scope.used = false;
    if (q.ecsFamily === 1 && q.ecsSourcePrefix > 0) {
      const m = q.ecsAddressOffset;
      const n = q.ecsAddressLength;
      const addr = ((n > 0 ? msg[m] : 0) * 0x1000000 + (n > 1 ? msg[m + 1] << 16 : 0) + (n > 2 ? msg[m + 2] << 8 : 0) + (n > 3 ? msg[m + 3] : 0)) >>> 0;
      if (!s.ecsPrivateToSource || !isNonGlobalV4(addr, q.ecsSourcePrefix)) {
        this.ecsV4 = addr;
        return this.locatedByEcs(locator.locateV4(addr, q.ecsSourcePrefix), 0);
      }
    } else if (q.ecsFamily === 2 && q.ecsSourcePrefix > 0) {
      const v6 = this.v6;
      v6.fill(0);
      for (let i = 0; i < q.ecsAddressLength; i++) v6[i] = msg[q.ecsAddressOffset + i];
      // ::ffff:a.b.c.d/p is the IPv4 network a.b.c.d/(p - 96): located as IPv4, scoped in IPv6 bits
      const mapped = q.ecsSourcePrefix >= 96 && isIPv4Mapped(v6, 0);
      if (!s.ecsPrivateToSource || !isNonGlobalV6(v6, 0, q.ecsSourcePrefix)) return this.locatedByEcs(locator.locateV6(v6, 0, q.ecsSourcePrefix), mapped ? 96 : 0);
    }
    return typeof remote === 'string' ? locator.locateText(remote) : locator.locateBytes(remote.family, remote.bytes, remote.offset);
  }

  /**
   * Fills the scope basis of a location the ECS address decided; returns the location. Set
   * here rather than in resolve(), whose inlining budget the metrics observer needs (ecsScope
   * reads the basis only when `used`).
   */
  private locatedByEcs(location: GeoLocation, familyOffset: number): GeoLocation {
    const scope = this.scope;
    scope.used = true;
    scope.networkPrefix = location.prefixLength;
    scope.sourcePrefix = this.q.ecsSourcePrefix;
    scope.family = this.q.ecsFamily;
    scope.familyOffset = familyOffset;
    return location;
  }
}
