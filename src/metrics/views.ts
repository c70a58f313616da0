// Views that keep metric cardinality bounded: HTTP durations keep the attributes dashboards and alerts use.
import { createAllowListAttributesProcessor, type ViewOptions } from '@opentelemetry/sdk-metrics';

export const HTTP_SERVER_ATTRIBUTES = ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'];
export const HTTP_CLIENT_ATTRIBUTES = [
  'http.request.method',
  'server.address',
  'server.port',
  'http.response.status_code',
  'error.type',
];

export function createViews(): ViewOptions[] {
  return [
    {
      instrumentName: 'http.server.request.duration',
      attributesProcessors: [createAllowListAttributesProcessor(HTTP_SERVER_ATTRIBUTES)],
    },
    {
      instrumentName: 'http.client.request.duration',
      attributesProcessors: [createAllowListAttributesProcessor(HTTP_CLIENT_ATTRIBUTES)],
    },
  ];
}
