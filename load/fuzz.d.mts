/** Sends hostile UDP packets; counts by kind and replies. */
export declare function fuzzUdp(opts: { host?: string; port: number; count: number; seed?: number; window?: number }): Promise<{ sent: Record<string, number>; replies: number }>;
/** Sends hostile packets over TCP connections. */
export declare function fuzzTcp(opts: { host?: string; port: number; count: number; seed?: number; perConnection?: number; parallel?: number }): Promise<{ sent: Record<string, number>; endings: Record<string, number>; replies: number; connections: number }>;
/** A normal query over UDP and TCP: the first A address of each answer. */
export declare function normalAnswers(opts: { host?: string; port: number; name?: string; ecs?: string }): Promise<{ udp: string | undefined; tcp: string | undefined }>;
/** A free port on 127.0.0.1 for both UDP and TCP. */
export declare function freePort(): Promise<number>;
/** Resident set size of a process, MiB. */
export declare function rssMiB(pid: number): number;
