// The global text-map propagator from OTEL_PROPAGATORS; B3 loads only when named.
import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { PropagatorName } from '../config/resolve';
import { RequestIdPropagator } from '../request/propagator';

function createOne(name: PropagatorName): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } =
        require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      return new B3Propagator({
        injectEncoding: name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER,
      });
    }
  }
}

/** The configured propagators, plus otelkit's request-id header (independent of OTEL_PROPAGATORS). */
export function createPropagator(names: readonly PropagatorName[], requestIdHeader: string): TextMapPropagator {
  return new CompositePropagator({ propagators: [...names.map(createOne), new RequestIdPropagator(requestIdHeader)] });
}
