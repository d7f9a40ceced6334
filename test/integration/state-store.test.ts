import { afterAll, beforeAll } from 'vitest';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { createStateTable, deleteTable, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';
import { stateStoreContract } from '../helpers/state-store-contract.js';

// The DynamoDB adapter on DynamoDB Local runs the contract the in-memory fake runs in unit tests.

const aws: EmulatedAws = emulatedAws();
let table: string;

beforeAll(async () => {
  table = await createStateTable(aws);
});

afterAll(async () => {
  await deleteTable(aws, table);
});

stateStoreContract('DynamoDbStateStore', () => new DynamoDbStateStore(aws.documents, table));
