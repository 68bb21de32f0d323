import type { ServiceModel } from '../config/model.js';
import type { EndpointSource, RegionEndpoints } from './endpoint-source.js';

/** The endpoints written in the config file: known from the start, never changing. */
export class StaticSource implements EndpointSource {
  readonly kind = 'static';
  private readonly regions: Map<string, RegionEndpoints>;

  constructor(model: ServiceModel) {
    this.regions = new Map([...model.regions].map(([name, spec]) => [name, { endpoints: spec.endpoints, cname: spec.cname }]));
  }

  current(): ReadonlyMap<string, RegionEndpoints> {
    return this.regions;
  }

  onChange(): () => void {
    return () => undefined;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
