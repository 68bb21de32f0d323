/**
 * The sections of a response, encoded once per snapshot; the hot path copies them after the
 * question (or after a chain prefix) and patches the few compression pointers it must.
 */
export interface PrebuiltAnswer {
  readonly rcode: number;
  /** Authoritative answer bit: off only for referrals. */
  readonly aa: boolean;
  /** The answer, authority and additional sections back to back: one copy per reply. */
  readonly sections: Buffer;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  /**
   * Late-bound compression pointers (RFC 1035 4.1.4) of an answer shared by names of
   * different lengths, as pairs [position, target] counted from the start of the answer
   * section: target < 0 points `-target` octets before the end of the anchor name (the
   * question name, or a chain prefix's last target), target >= 0 at that octet of the
   * sections themselves. Empty for answers of one name, whose pointers are written at compile time.
   */
  readonly fixups: Int32Array;
  /** Positions of owner pointers to the question name (0xc00c), moved to the anchor name when the answer follows a chain prefix. */
  readonly ownerAt: Int32Array;
}

/**
 * The static CNAME records in front of a per-client answer (a chain that ends at a steered
 * name): the answer that follows takes the prefix's last CNAME target as its anchor name.
 */
export interface ChainPrefix {
  readonly records: Buffer;
  readonly count: number;
  /** As PrebuiltAnswer.fixups, anchored at the question name. */
  readonly fixups: Int32Array;
  /** Offset of the last target name (written uncompressed) inside `records`, and its length in octets. */
  readonly anchorAt: number;
  readonly anchorLength: number;
}

const NO_POINTERS: Int32Array = new Int32Array(0);
const EMPTY = Buffer.alloc(0);

/** A list of encoded records and how many there are. */
export interface RecordSection {
  readonly bytes: Buffer;
  readonly count: number;
}

/** No records. */
export const EMPTY_SECTION: RecordSection = { bytes: EMPTY, count: 0 };

/** Assembles a prebuilt answer. */
export function prebuilt(
  rcode: number,
  aa: boolean,
  answer: RecordSection,
  authority = EMPTY_SECTION,
  additional = EMPTY_SECTION,
  fixups: Int32Array = NO_POINTERS,
  ownerAt: Int32Array = NO_POINTERS,
): PrebuiltAnswer {
  return {
    rcode,
    aa,
    sections: Buffer.concat([answer.bytes, authority.bytes, additional.bytes]),
    ancount: answer.count,
    nscount: authority.count,
    arcount: additional.count,
    fixups: fixups.length === 0 ? NO_POINTERS : fixups,
    ownerAt: ownerAt.length === 0 ? NO_POINTERS : ownerAt,
  };
}
