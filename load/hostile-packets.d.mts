/** Kinds of packet the generator makes. */
export declare const KINDS: readonly string[];
/** A seeded PRNG returning floats in [0, 1). */
export declare function seededRandom(seed: number): () => number;
/** A well-formed query. */
export declare function validQuery(rand: () => number, opts?: { name?: string; type?: number; edns?: boolean; ecs?: boolean }): Buffer;
/** A plain query: id 0, no flags, class IN, and an OPT record (payload 1232) with `options`. */
export declare function plainQuery(name: string, type: number, options?: { code: number; data: Buffer }[]): Buffer;
/** `msg` behind the 2-byte length prefix of DNS over TCP. */
export declare function tcpFrame(msg: Buffer): Buffer;
/** One packet of `kind`. */
export declare function hostilePacket(kind: string, rand: () => number): Buffer;
/** An OPT record. */
export declare function optRecord(opts?: { udpSize?: number; version?: number; dnssecOk?: boolean; options?: { code: number; data: Buffer; length?: number }[]; owner?: Buffer }): Buffer;
/** ECS option data. */
export declare function ecsData(family: number, prefix: number, addressBytes: number[]): Buffer;
