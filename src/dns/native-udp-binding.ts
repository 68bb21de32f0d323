import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The compiled addon (native/, binding.gyp, built by `npm ci` through node-gyp) and the one
// place that loads it. It only moves bytes: see native/addon.c for the ArrayBuffer layout.

/** What native/addon.c exports. */
export interface NativeUdpAddon {
  /** Binds a socket; throws an Error with a system `code` (EADDRINUSE, ENOPROTOOPT, ...). */
  open(host: string, port: number, reusePort: boolean, recvBufferBytes: number, slots: number, txStride: number, onBatch: (count: number) => void): NativeUdpSocket;
  /** Starts polling the socket in Node's loop. */
  start(handle: unknown): void;
  /** Closes the socket at once (the port is free when this returns); idempotent. */
  close(handle: unknown): void;
  stats(handle: unknown): NativeUdpStats;
  /** Slots per batch at most (64). */
  readonly maxSlots: number;
  /** Receive bytes per slot (65536: any datagram fits). */
  readonly rxStride: number;
  /** Address bytes per slot (16). */
  readonly addrBytes: number;
  /** Int32 meta fields per slot: rx length (-1: skip), family, port, tx length (-1: no reply). */
  readonly metaFields: number;
}

/** An open native socket: its handle, the shared buffer, the bound port and the reply stride used. */
export interface NativeUdpSocket {
  readonly handle: unknown;
  /** [rx slots * rxStride][tx slots * txStride][addr slots * 16][meta slots * 4 int32] */
  readonly arena: ArrayBuffer;
  readonly port: number;
  readonly txStride: number;
}

/** The addon's counters for one socket (monotonic). */
export interface NativeUdpStats {
  readonly received: number;
  /** Datagrams not handed to JS: truncated (cannot happen with 64 KiB slots) or of an unknown family. */
  readonly skipped: number;
  readonly sent: number;
  /** Replies the kernel refused for that one datagram (EHOSTUNREACH, EPERM, ...). */
  readonly sendDropped: number;
  /** Times a send hit EAGAIN and the socket waited for POLLOUT before reading again. */
  readonly sendWaits: number;
  readonly receiveErrors: number;
  readonly batches: number;
}

/** The addon, or why it cannot be used. */
export type NativeUdpLoad = { readonly addon: NativeUdpAddon; readonly path: string } | { readonly addon: undefined; readonly reason: string };

/** build/Release/geosteer_udp.node at the package root (two levels above src/dns and dist/dns). */
export const NATIVE_UDP_ADDON = fileURLToPath(new URL('../../build/Release/geosteer_udp.node', import.meta.url));

/** Loads the addon from `path` (GEOSTEER_UDP_ADDON overrides it: the sanitizer build). Never throws. */
export function loadNativeUdp(path: string, platform: string = process.platform): NativeUdpLoad {
  if (platform !== 'linux') return { addon: undefined, reason: `recvmmsg/sendmmsg path is Linux-only (this is ${platform})` };
  if (!existsSync(path)) return { addon: undefined, reason: `${path} not built (npm ci compiles it with node-gyp; its log says why it could not)` };
  let addon: Partial<NativeUdpAddon>;
  try {
    addon = createRequire(import.meta.url)(path) as Partial<NativeUdpAddon>;
  } catch (err) {
    return { addon: undefined, reason: `${path} failed to load: ${(err as Error).message}` };
  }
  const api = ['open', 'start', 'close', 'stats'] as const;
  if (api.some((f) => typeof addon[f] !== 'function') || addon.maxSlots !== 64 || addon.addrBytes !== 16 || addon.metaFields !== 4) {
    return { addon: undefined, reason: `${path} is not this version's geosteer_udp addon (expected open/start/close/stats, 64 slots)` };
  }
  return { addon: addon as NativeUdpAddon, path };
}
