/**
 * ISO 3166-1 alpha-2 country -> continent, as MaxMind's GeoIP2/GeoLite2 data assigns them.
 * MaxMind takes continents from GeoNames (countryInfo.txt), so transcontinental countries
 * follow GeoNames: RU and CY are EU, TR, GE, AM, AZ and KZ are AS, EG is AF, TL and CX are OC.
 * XK (Kosovo) is user-assigned in ISO 3166 but used by GeoNames and MaxMind.
 */

/** The seven continent codes MaxMind uses. */
export const CONTINENT_CODES = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;

/** A MaxMind continent code. */
export type ContinentCode = (typeof CONTINENT_CODES)[number];

// Grouped by continent so a reviewer can check one line against GeoNames at a time.
const BY_CONTINENT: Record<ContinentCode, string> = {
  AF:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ' +
    'ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS:
    'AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM ' +
    'MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE',
  EU:
    'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI ' +
    'LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  NA:
    'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI ' +
    'PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK CX FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

function buildTable(): ReadonlyMap<string, ContinentCode> {
  const table = new Map<string, ContinentCode>();
  for (const continent of CONTINENT_CODES) {
    for (const country of BY_CONTINENT[continent].split(' ')) table.set(country, continent);
  }
  return table;
}

/** Every ISO 3166-1 alpha-2 code (249) plus XK, mapped to its continent. */
export const COUNTRY_CONTINENT: ReadonlyMap<string, ContinentCode> = buildTable();

/** The valid country codes (upper case), for config validation. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(COUNTRY_CONTINENT.keys());

const CONTINENT_SET: ReadonlySet<string> = new Set(CONTINENT_CODES);

/** Continent of an upper-case country code; undefined for unknown codes. */
export function continentOf(country: string): ContinentCode | undefined {
  return COUNTRY_CONTINENT.get(country);
}

/** True for an upper-case ISO 3166-1 alpha-2 code (or XK). */
export function isCountryCode(value: string): boolean {
  return COUNTRY_CONTINENT.has(value);
}

/** True for one of AF AN AS EU NA OC SA. */
export function isContinentCode(value: string): value is ContinentCode {
  return CONTINENT_SET.has(value);
}
