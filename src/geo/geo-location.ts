import type { GeoLocation } from './geo-lookup.js';

function freezeLocation(country: string | undefined, continent: string | undefined, prefixLength: number): GeoLocation {
  return Object.freeze({ country, continent, prefixLength });
}

// Immutable constants, not state: the same "nowhere" objects serve every database.
const UNKNOWN: readonly GeoLocation[] = Object.freeze(
  Array.from({ length: 129 }, (_, prefix) => freezeLocation(undefined, undefined, prefix)),
);

/** The shared frozen "not in the database" location for a prefix length (0..128). */
export function unknownLocation(prefixLength: number): GeoLocation {
  return UNKNOWN[prefixLength] ?? UNKNOWN[0];
}

/** One (country, continent) pair and its shared frozen locations, one per prefix length. */
export class GeoPlace {
  private readonly byPrefix: GeoLocation[] = [];

  constructor(
    readonly country: string | undefined,
    readonly continent: string | undefined,
  ) {}

  /** The shared location at `prefixLength`; allocates only the first time. */
  at(prefixLength: number): GeoLocation {
    if (this.country === undefined && this.continent === undefined) return unknownLocation(prefixLength);
    return (this.byPrefix[prefixLength] ??= freezeLocation(this.country, this.continent, prefixLength));
  }
}

/** Hands out one GeoPlace per (country, continent), so equal answers are the same object. */
export class PlaceInterner {
  private readonly places = new Map<string, GeoPlace>();

  /** The shared place for a pair. */
  get(country: string | undefined, continent: string | undefined): GeoPlace {
    const key = `${country ?? ''}|${continent ?? ''}`;
    let place = this.places.get(key);
    if (place === undefined) {
      place = new GeoPlace(country, continent);
      this.places.set(key, place);
    }
    return place;
  }
}
