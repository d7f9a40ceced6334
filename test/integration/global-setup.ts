import type { TestProject } from 'vitest/node';
import { type Emulators, startEmulators } from '../../local/emulators.js';

// One DynamoDB Local and one fauxqs for the whole integration run (in memory); each test file
// creates its own uniquely named tables and queues, so files never see each other's data.

let emulators: Emulators | undefined;

export async function setup(project: TestProject) {
  emulators = await startEmulators();
  project.provide('dynamodbEndpoint', emulators.dynamodbEndpoint);
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
  project.provide('region', emulators.region);
}

export async function teardown() {
  await emulators?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
    region: string;
  }
}
