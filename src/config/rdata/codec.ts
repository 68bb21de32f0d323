import { isIPv4, isIPv6 } from 'node:net';
import { hostnameProblem, parseName, presentName, type NameContext } from '../names.js';
import type { Token } from '../zone-file/tokenizer.js';
import type { DataOf, RecordType } from './record-data.js';
import { canonicalIPv6, type RdataReader, type RdataWriter } from './wire-io.js';

/** Everything one record type knows: presentation in and out, wire out and in. */
export interface RdataCodec<T extends RecordType> {
  /** Throws FieldError naming what is wrong. */
  parse(tokens: readonly Token[], names: NameContext): DataOf<T>;
  /** Canonical presentation form, for logs, tests and explain. */
  present(data: DataOf<T>): string;
  encode(data: DataOf<T>, w: RdataWriter): void;
  /** Throws RdataDecodeError on malformed rdata. */
  decode(r: RdataReader): DataOf<T>;
}

/** A field that does not parse; the message says which and why. */
export class FieldError extends Error {}

/** The value, or a FieldError for a field parser's problem text. */
export function need<T>(value: T | string): T {
  if (typeof value === 'string') throw new FieldError(value);
  return value;
}

/** Throws unless there are exactly `count` tokens. */
export function needCount(tokens: readonly Token[], count: number, form: string): void {
  if (tokens.length === count) return;
  const got = tokens.length === 0 ? 'nothing' : JSON.stringify(tokens.map((t) => t.text).join(' '));
  throw new FieldError(`expected ${form}, got ${got}`);
}

/** A name field of rdata, canonical. Host-name rules are a separate check (hostTargetProblem), so the syntax stays what every server reads. */
export function nameField(token: Token, names: NameContext, what: string): string {
  const parsed = parseName(token.text, { ...names, wildcard: false });
  if ('problem' in parsed) throw new FieldError(`${what}: ${parsed.problem}`);
  return parsed.name;
}

/** Why `name` may not be the host a record points to (the root only where `rootMeans` says what it means), or undefined. */
export function hostTarget(name: string, what: string, rootMeans?: string): string | undefined {
  if (name === '' && rootMeans !== undefined) return undefined;
  const problem = hostnameProblem(name);
  return problem ? `${what} must be a host name${rootMeans ? ` (or "." for ${rootMeans})` : ''}: ${problem}` : undefined;
}

/** An IPv4 address in dotted-quad form. */
export function ipv4Field(text: string, what: string): string {
  if (!isIPv4(text)) throw new FieldError(`expected ${what} as an IPv4 address, got ${JSON.stringify(text)}`);
  return text;
}

/** An IPv6 address, in its canonical RFC 5952 text. */
export function ipv6Field(text: string, what: string): string {
  if (!isIPv6(text) || text.includes('%')) throw new FieldError(`expected ${what} as an IPv6 address, got ${JSON.stringify(text)}`);
  return canonicalIPv6(text);
}

/** A name as it is presented: absolute with its trailing dot. */
export const present = presentName;
