import { FieldError, nameField, need, needCount, present, type RdataCodec } from './codec.js';
import { decodeEscapes, parseCharString, parseUint, presentCharString } from './fields.js';

// Types made of character-strings: TXT (RFC 1035 3.3.14), CAA (RFC 8659 4.1), NAPTR (RFC 3403 4.1).

/** Splits octets into character-strings of at most 255 (RFC 1035 3.3). */
export function splitCharStrings(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length || out.length === 0; i += 255) out.push(bytes.subarray(i, i + 255));
  return out;
}

export const TXT: RdataCodec<'TXT'> = {
  parse(tokens) {
    if (tokens.length === 0) throw new FieldError('expected one or more character-strings like "v=spf1 -all"');
    // a string longer than 255 octets is split, as Knot does, rather than refused
    const strings = tokens.flatMap((t) => splitCharStrings(need(decodeEscapes(t.text))));
    return { type: 'TXT', strings };
  },
  present: (d) => d.strings.map(presentCharString).join(' '),
  encode: (d, w) => {
    for (const s of d.strings) w.charString(s);
  },
  decode(r) {
    const strings: Buffer[] = [];
    do strings.push(r.charString('a character-string'));
    while (r.remaining > 0);
    return { type: 'TXT', strings };
  },
};

export const CAA: RdataCodec<'CAA'> = {
  parse(tokens) {
    needCount(tokens, 3, 'FLAGS TAG "VALUE" like 0 issue "letsencrypt.org"');
    const flags = need(parseUint(tokens[0].text, 255, 'the flags'));
    const tag = tokens[1].text;
    // RFC 8659 4.1: the tag is 1-15 ASCII letters and digits, matched case-insensitively
    if (!/^[A-Za-z0-9]{1,15}$/.test(tag)) throw new FieldError(`expected a tag of 1-15 letters and digits like issue, issuewild or iodef, got ${JSON.stringify(tag)}`);
    const value = need(decodeEscapes(tokens[2].text));
    return { type: 'CAA', flags, tag: tag.toLowerCase(), value };
  },
  present: (d) => `${d.flags} ${d.tag} ${presentCharString(d.value)}`,
  encode: (d, w) => void w.u8(d.flags).charString(Buffer.from(d.tag, 'latin1')).bytes(d.value),
  decode(r) {
    const flags = r.u8('the flags');
    const tag = r.charString('the tag').toString('latin1');
    return { type: 'CAA', flags, tag, value: r.rest() };
  },
};

const NAPTR_FORM = 'ORDER PREFERENCE "FLAGS" "SERVICES" "REGEXP" REPLACEMENT like 100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .';

export const NAPTR: RdataCodec<'NAPTR'> = {
  parse(tokens, names) {
    needCount(tokens, 6, NAPTR_FORM);
    const flags = need(parseCharString(tokens[2], 'the flags'));
    // RFC 3403 4.1: flags are single letters and digits
    if (!/^[A-Za-z0-9]*$/.test(flags.toString('latin1'))) throw new FieldError(`expected flags of letters and digits like "u" or "s", got ${JSON.stringify(tokens[2].text)}`);
    const regexp = need(parseCharString(tokens[4], 'the regexp'));
    const replacement = nameField(tokens[5], names, 'the replacement');
    // RFC 3403 4.1: REGEXP and REPLACEMENT are mutually exclusive
    if (regexp.length > 0 && replacement !== '') throw new FieldError('a NAPTR has either a regexp or a replacement: with a regexp the replacement must be "." (RFC 3403 4.1)');
    return {
      type: 'NAPTR',
      order: need(parseUint(tokens[0].text, 65535, 'the order')),
      preference: need(parseUint(tokens[1].text, 65535, 'the preference')),
      flags,
      services: need(parseCharString(tokens[3], 'the services')),
      regexp,
      replacement,
    };
  },
  present: (d) =>
    `${d.order} ${d.preference} ${presentCharString(d.flags)} ${presentCharString(d.services)} ${presentCharString(d.regexp)} ${present(d.replacement)}`,
  encode: (d, w) => void w.u16(d.order).u16(d.preference).charString(d.flags).charString(d.services).charString(d.regexp).name(d.replacement),
  decode: (r) => ({
    type: 'NAPTR',
    order: r.u16('the order'),
    preference: r.u16('the preference'),
    flags: r.charString('the flags'),
    services: r.charString('the services'),
    regexp: r.charString('the regexp'),
    replacement: r.name('the replacement'),
  }),
};
