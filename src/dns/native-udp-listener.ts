import type { Logger } from '../shared/logger.js';
import type { NativeUdpAddon, NativeUdpStats } from './native-udp-binding.js';
import type { ClientAddressBytes, QueryHandler } from './query-handler.js';
import { HandlerFailures, RECEIVE_BUFFER_BYTES, type UdpListener } from './udp-listener.js';

/** Datagrams per recvmmsg/sendmmsg: gdnsd's and Knot's order of batch size. */
const BATCH_SLOTS = 64;
/**
 * Reply bytes per slot: any UDP reply fits (max_udp_payload is at most 65535 and may change on
 * a reload). Only the pages a reply touches become resident: one per slot for small answers.
 */
const REPLY_SLOT_BYTES = 65536;
/** Meta fields (int32 per slot, native/batch-socket.h). */
const RX_LEN = 0;
const FAMILY = 1;
const TX_LEN = 3;

/**
 * One UDP socket owned by the native addon: datagrams arrive in batches of up to 64 in fixed
 * slots of one shared buffer, the handler writes each reply into its slot, and the addon sends
 * them all with one sendmmsg. No Buffer, string or rinfo per packet.
 */
export class NativeUdpListener implements UdpListener {
  readonly kind = 'recvmmsg' as const;
  private readonly failed: HandlerFailures;
  private handle: unknown;
  private rx: Buffer[] = [];
  private tx: Buffer[] = [];
  private meta = new Int32Array(0);
  private readonly client: ClientAddressBytes = { family: 4, bytes: new Uint8Array(0), offset: 0 };

  constructor(
    private readonly addon: NativeUdpAddon,
    private readonly handler: Pick<QueryHandler, 'handleInto'>,
    log: Logger,
    private readonly opts: { readonly reusePort: boolean },
  ) {
    this.failed = new HandlerFailures(log);
  }

  get failures(): number {
    return this.failed.count;
  }

  /** Binds (SO_REUSEPORT when asked) and starts polling; resolves with the bound port. Rejects with the system error. */
  listen(host: string, port: number): Promise<number> {
    const { addon } = this;
    let socket;
    try {
      socket = addon.open(host, port, this.opts.reusePort, RECEIVE_BUFFER_BYTES, BATCH_SLOTS, REPLY_SLOT_BYTES, this.onBatch);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const { arena } = socket;
    const txStart = BATCH_SLOTS * addon.rxStride;
    const addrStart = txStart + BATCH_SLOTS * socket.txStride;
    const metaStart = addrStart + BATCH_SLOTS * addon.addrBytes;
    this.rx = Array.from({ length: BATCH_SLOTS }, (_, i) => Buffer.from(arena, i * addon.rxStride, addon.rxStride));
    this.tx = Array.from({ length: BATCH_SLOTS }, (_, i) => Buffer.from(arena, txStart + i * socket.txStride, socket.txStride));
    this.client.bytes = new Uint8Array(arena, addrStart, BATCH_SLOTS * addon.addrBytes);
    this.meta = new Int32Array(arena, metaStart, BATCH_SLOTS * addon.metaFields);
    this.handle = socket.handle;
    addon.start(socket.handle);
    return Promise.resolve(socket.port);
  }

  /** The addon's counters for this socket. */
  stats(): NativeUdpStats | undefined {
    return this.handle === undefined ? undefined : this.addon.stats(this.handle);
  }

  close(): Promise<void> {
    if (this.handle !== undefined) this.addon.close(this.handle);
    return Promise.resolve();
  }

  /** Called by the addon once per batch: the packets are in rx slots 0..count-1. */
  private readonly onBatch = (count: number): void => {
    const { meta, client, handler, rx, tx } = this;
    const fields = this.addon.metaFields;
    const addrBytes = this.addon.addrBytes;
    for (let i = 0; i < count; i++) {
      const m = i * fields;
      const length = meta[m + RX_LEN];
      if (length < 0) continue; // the addon skipped it (TX_LEN is already -1)
      client.family = meta[m + FAMILY];
      client.offset = i * addrBytes;
      let out = -1;
      try {
        out = handler.handleInto(rx[i], length, client, tx[i]);
      } catch (err) {
        this.failed.record(err);
      }
      meta[m + TX_LEN] = out;
    }
  };
}
