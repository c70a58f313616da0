// The SDK's meter provider once the SDK runs, for otelkit's own instruments (the log-record counter, business
// metrics): before it, the API's global meter is a no-op, and an instrument taken from it stays one.
import type { MeterProvider } from '@opentelemetry/api';

let provider: MeterProvider | undefined;

/** Called by the SDK composition when its meter provider is in place. */
export function setSdkMeterProvider(meterProvider: MeterProvider): void {
  provider = meterProvider;
}

/** The SDK's meter provider, or undefined while the SDK does not run. */
export function sdkMeterProvider(): MeterProvider | undefined {
  return provider;
}
