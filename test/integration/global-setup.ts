import type { TestProject } from 'vitest/node';
import { DEFAULT_CONFIG_PATH, loadDeploymentConfig } from '../../infra/deployment-config.js';
import { type Emulators, startEmulators } from '../../local/emulators/emulators.js';
import type { Topology } from '../../local/topology/model.js';
import { synthesizeTopology } from '../../local/topology/synthesize.js';

// One DynamoDB Local and one fauxqs for the whole integration run (in memory); each test file
// creates its own uniquely named tables and queues, so files never see each other's data.
// The local hub's topology is synthesised from the CDK app once here, not by every hub a test
// file starts (3–5 s each: aws-cdk-lib's import and the synth block the worker).

let emulators: Emulators | undefined;

export async function setup(project: TestProject) {
  emulators = await startEmulators();
  project.provide('dynamodbEndpoint', emulators.dynamodbEndpoint);
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
  project.provide('region', emulators.region);
  project.provide(
    'topology',
    synthesizeTopology(loadDeploymentConfig(process.env.SCHAKEL_CONFIG ?? DEFAULT_CONFIG_PATH)),
  );
}

export async function teardown() {
  await emulators?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
    region: string;
    /** The local hub's tables and queues for the deployment config the hubs of the tests load. */
    topology: Topology;
  }
}
