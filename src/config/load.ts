import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../shared/errors.js';
import { DEFAULT_MAX_CONFIG_BYTES, readConfigText } from './config-file.js';
import { buildModel, type ServiceModel } from './model.js';
import { boundProblems, MAX_LISTED_PROBLEMS, quoteValue } from './problem-list.js';
import type { DnsIdentity } from './dns-identity.js';
import { configSchema, type Config } from './schema.js';
import type { ReadText } from './zone-file/loader.js';

/** A config that passed every check, with the model compiled from it. */
export interface LoadedConfig {
  readonly source: string;
  readonly config: Config;
  readonly model: ServiceModel;
  /** The YAML text it was parsed from, when it came from text (DNS workers parse the same text). */
  readonly text?: string;
  /** Every file it was read from, absolute: the config file (when loaded from one), each zone file and $INCLUDE. A change to any of them calls for a reload. */
  readonly files: readonly string[];
  /** NSID and cookie secrets, resolved by the service (resolveDnsIdentity) and sent with the config to DNS workers; absent before (check-config, explain). */
  readonly identity?: DnsIdentity;
}

/** How zone files named by the config are read; the default reads them from disk, relative to the config file's folder. */
export interface LoadOptions {
  readonly readZoneFile?: ReadText;
}

/** A refused config: its problems (of `total`), bounded in number and length (see problem-list.ts). */
function refuse(source: string, problems: readonly string[], total = problems.length): ConfigError {
  return new ConfigError(source, boundProblems(problems, total), total);
}

/** `regions.tokyo.weight` style path for a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_type': {
      const got = valueAt(doc, issue.path);
      return got === undefined ? `${path}: required ${issue.expected} is missing` : `${path}: expected ${issue.expected}, got ${quoteValue(got)}`;
    }
    case 'too_small':
    case 'too_big':
      return `${path}: ${issue.message.replace(/^Too (small|big): expected /, 'expected ')}, got ${quoteValue(valueAt(doc, issue.path))}`;
    case 'invalid_value':
      return `${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${quoteValue(valueAt(doc, issue.path))}`;
    case 'invalid_union':
      return `${path}: ${quoteValue(valueAt(doc, issue.path))} does not fit any accepted form (see the example config)`;
    default:
      return `${path}: ${issue.message}`;
  }
}

/** Validates a parsed YAML/JSON document (zone files relative to `source`'s folder); throws ConfigError listing every problem. */
export function parseConfig(doc: unknown, source: string, options: LoadOptions = {}): LoadedConfig {
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    // only the listed issues are put in words; the rest are counted
    const { issues } = parsed.error;
    throw refuse(source, issues.slice(0, MAX_LISTED_PROBLEMS).map((i) => describeIssue(i, doc)), issues.length);
  }
  const { model, problems, files } = buildModel(parsed.data, { configPath: source, read: options.readZoneFile });
  if (problems.length > 0) throw refuse(source, problems);
  return { source, config: parsed.data, model, files };
}

/** Parses YAML text; throws ConfigError with line numbers for syntax errors. */
export function parseConfigText(text: string, source: string, options: LoadOptions = {}): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw refuse(source, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  return { ...parseConfig(doc.toJS(), source, options), text };
}

/** Reads and validates a config file, refusing one larger than `maxBytes` (default DEFAULT_MAX_CONFIG_BYTES) before parsing it. */
export async function loadConfigFile(path: string, opts: { maxBytes?: number } = {}): Promise<LoadedConfig> {
  const text = await readConfigText(path, opts.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES);
  const loaded = parseConfigText(text, path);
  return { ...loaded, files: [resolve(path), ...loaded.files] };
}
