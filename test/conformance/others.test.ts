// Conformance of graphql and of the app's own loggers (the trace fields otelkit and upstream add to their lines).
import { describe } from 'vitest';
import { OTHER_APPS } from './apps';
import { conformanceTests } from './suite';

describe('graphql and loggers', () => conformanceTests(OTHER_APPS));
