import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, SQSRecord } from 'aws-lambda';

// Real-shaped AWS events from test/events/, read afresh on every call so a test can change its copy.

function read(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../events/${file}`, import.meta.url), 'utf8'));
}

/** A REST API (v1) proxy event: `api-gateway-post-signal.json` or `api-gateway-get-referral.json`. */
export function proxyEvent(
  file: 'api-gateway-post-signal.json' | 'api-gateway-get-referral.json',
): APIGatewayProxyEvent {
  return read(file) as APIGatewayProxyEvent;
}

export function authorizerEvent(): APIGatewayRequestAuthorizerEvent {
  return read('api-gateway-authorizer-request.json') as APIGatewayRequestAuthorizerEvent;
}

/** A message of the intake queue as Lambda hands it to route-signal, first delivery. */
export function intakeRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:intake',
    awsRegion: 'eu-west-1',
  };
}
