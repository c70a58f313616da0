// The resource every signal shares: configured attributes over what the chosen detectors find.
import {
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import type { Config, ResourceDetectorName } from '../config/resolve';
import { requireBundled } from '../bundled';
import { OTELKIT_VERSION } from '../version';

function loadDetectors(name: ResourceDetectorName): ResourceDetector[] {
  switch (name) {
    case 'host':
      return [hostDetector];
    case 'os':
      return [osDetector];
    case 'process':
      return [processDetector];
    case 'serviceinstance':
      return [serviceInstanceIdDetector];
    case 'container':
      return [require('@opentelemetry/resource-detector-container').containerDetector];
    case 'alibaba':
      return [
        requireBundled<Record<string, ResourceDetector>>('@opentelemetry/resource-detector-alibaba-cloud')
          .alibabaCloudEcsDetector,
      ];
    case 'aws': {
      const aws = requireBundled<Record<string, ResourceDetector>>('@opentelemetry/resource-detector-aws');
      return [aws.awsEc2Detector, aws.awsEcsDetector, aws.awsEksDetector, aws.awsBeanstalkDetector, aws.awsLambdaDetector];
    }
    case 'azure': {
      const azure = requireBundled<Record<string, ResourceDetector>>('@opentelemetry/resource-detector-azure');
      return [azure.azureAppServiceDetector, azure.azureFunctionsDetector, azure.azureVmDetector];
    }
    case 'gcp':
      return [requireBundled<Record<string, ResourceDetector>>('@opentelemetry/resource-detector-gcp').gcpDetector];
  }
}

export function createResource(config: Config): Resource {
  const detected = detectResources({ detectors: config.resourceDetectors.flatMap(loadDetectors) });
  const { name, version, environment } = config.service;
  const configured = resourceFromAttributes({
    ...config.resourceAttributes,
    'service.name': name,
    ...(version === undefined ? {} : { 'service.version': version }),
    ...(environment === undefined ? {} : { 'deployment.environment.name': environment }),
    'telemetry.distro.name': 'otelkit',
    'telemetry.distro.version': OTELKIT_VERSION,
  });
  const resource = detected.merge(configured);
  // Settle the detectors' pending attributes now: until then the batch processors wait on them span by span.
  resource.waitForAsyncAttributes?.().catch(() => {});
  return resource;
}
