import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import {
  CONTINENT_CODES,
  COUNTRY_CODES,
  COUNTRY_CONTINENT,
  continentOf,
  isContinentCode,
  isCountryCode,
} from '../../src/geo/country-continent.js';

describe('country-continent', () => {
  it('holds all 249 ISO 3166-1 alpha-2 codes plus XK, each once', () => {
    // a code listed under two continents would shrink the map below 250
    expect(COUNTRY_CONTINENT.size).toBe(250);
    expect(COUNTRY_CODES.size).toBe(250);
    for (const code of COUNTRY_CODES) expect(code).toMatch(/^[A-Z]{2}$/);
    expect(isCountryCode('XK')).toBe(true);
  });

  it.each([
    ['TW', 'AS'], ['SG', 'AS'], ['JP', 'AS'], ['US', 'NA'], ['CA', 'NA'], ['MX', 'NA'], ['BR', 'SA'],
    ['DE', 'EU'], ['GB', 'EU'], ['AU', 'OC'], ['NZ', 'OC'], ['ZA', 'AF'], ['EG', 'AF'], ['AQ', 'AN'],
    // transcontinental and odd cases as MaxMind (GeoNames) assigns them
    ['RU', 'EU'], ['TR', 'AS'], ['CY', 'EU'], ['GE', 'AS'], ['AM', 'AS'], ['AZ', 'AS'], ['KZ', 'AS'],
    ['PA', 'NA'], ['TT', 'NA'], ['GL', 'NA'], ['TL', 'OC'], ['CX', 'OC'], ['CC', 'AS'], ['UM', 'OC'],
    ['IO', 'AS'], ['RE', 'AF'], ['GS', 'AN'], ['TF', 'AN'], ['XK', 'EU'],
  ])('%s is in %s', (country, continent) => {
    expect(continentOf(country)).toBe(continent);
  });

  it('validates codes strictly (upper case, known)', () => {
    expect(isCountryCode('tw')).toBe(false);
    expect(isCountryCode('UK')).toBe(false); // GB is the ISO code
    expect(isCountryCode('EU')).toBe(false);
    expect(continentOf('ZZ')).toBeUndefined();
    expect([...CONTINENT_CODES]).toEqual(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']);
    for (const c of CONTINENT_CODES) expect(isContinentCode(c)).toBe(true);
    expect(isContinentCode('AP')).toBe(false);
    expect(isContinentCode('as')).toBe(false);
  });

  it('covers every country code in the bundled database', () => {
    const buf = readFileSync(BUNDLED_GEOIP_DATABASE);
    const start = new Reader(buf).metadata.searchTreeSize + 16;
    const end = buf.lastIndexOf(Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'));
    // the data section is only `{country_code: "XX"}` maps: a 2-byte string is control byte 0x42
    const codes = new Set<string>();
    for (let i = start; i < end - 2; i++) {
      if (buf[i] === 0x42 && buf[i + 1] >= 65 && buf[i + 1] <= 90 && buf[i + 2] >= 65 && buf[i + 2] <= 90) {
        codes.add(String.fromCharCode(buf[i + 1], buf[i + 2]));
      }
    }
    expect(codes.size).toBeGreaterThan(200);
    expect([...codes].filter((code) => !isCountryCode(code))).toEqual([]);
  });
});
