import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StateChange } from '../../write-audit/derive-audit-event.js';

type Image = Record<string, AttributeValue>;

/** A DynamoDB stream record (as Lambda delivers it) as the plain items before and after. */
export function toStateChange(record: DynamoDBRecord): StateChange {
  const { eventName, dynamodb } = record;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new Error(`unexpected stream event ${String(eventName)}`);
  }
  return {
    eventName,
    ...(dynamodb?.NewImage ? { newItem: unmarshall(dynamodb.NewImage as Image) } : {}),
    ...(dynamodb?.OldImage ? { oldItem: unmarshall(dynamodb.OldImage as Image) } : {}),
  };
}
