import type { ServiceModel } from '../config/model.js';
import type { RegionEndpoints } from '../steering/types.js';

/** The config's model with the source-reported endpoints of each configured region swapped in. */
export function effectiveModel(model: ServiceModel, endpoints: ReadonlyMap<string, RegionEndpoints>): ServiceModel {
  if (endpoints.size === 0) return model;
  const regions = new Map(model.regions);
  for (const [name, e] of endpoints) {
    const spec = regions.get(name);
    if (spec) regions.set(name, { ...spec, endpoints: e.endpoints, cname: e.cname });
  }
  return { ...model, regions };
}
