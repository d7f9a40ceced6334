import { GetQueueUrlCommand, QueueDoesNotExist, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsIntakeQueue, SqsTeamQueue } from '../../../functions/shared/adapters/sqs-queues.js';
import { teamQueueName } from '../../../functions/shared/adapters/team-queue-name.js';
import { referralCloudEvent } from '../../../functions/shared/referral-events.js';
import { storedReferral } from '../../helpers/factories.js';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'eu-central-1' });
const urlOf = (queueName: string) => `https://sqs.eu-central-1.amazonaws.com/123456789012/${queueName}`;

const event = referralCloudEvent(
  'demo',
  storedReferral(),
  'nl.schakel.referral.queued.v1',
  '2026-11-22T10:00:05.000Z',
);

afterAll(() => sqsMock.restore());

beforeEach(() => {
  sqsMock.reset();
  sqsMock
    .on(GetQueueUrlCommand)
    .callsFake(async (input: { QueueName: string }) => ({ QueueUrl: urlOf(input.QueueName) }));
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

const lookups = () => sqsMock.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input.QueueName);
const sends = () => sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);

describe('SqsIntakeQueue', () => {
  it('sends the intake message as JSON to the configured queue', async () => {
    const intake = new SqsIntakeQueue(sqs, urlOf('schakel-demo-intake'));

    await intake.enqueue({ signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01' });

    expect(sends()).toEqual([
      {
        QueueUrl: urlOf('schakel-demo-intake'),
        MessageBody: JSON.stringify({ signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01' }),
      },
    ]);
  });

  it('passes a failure of SQS on', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('throttled'));
    const intake = new SqsIntakeQueue(sqs, urlOf('schakel-demo-intake'));

    await expect(intake.enqueue({ signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01' })).rejects.toThrow(
      'throttled',
    );
  });
});

describe('SqsTeamQueue', () => {
  it('finds the team queue by its stable name and sends the CloudEvent there', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await teams.publish('jgt-amsterdam', event);

    expect(lookups()).toEqual(['schakel-demo-team-jgt-amsterdam']);
    expect(lookups()).toEqual([teamQueueName('demo', 'jgt-amsterdam')]);
    expect(sends()).toHaveLength(1);
    expect(sends()[0]?.QueueUrl).toBe(urlOf('schakel-demo-team-jgt-amsterdam'));
    expect(JSON.parse(sends()[0]?.MessageBody as string)).toEqual(event);
  });

  it('marks the message as a structured CloudEvent through its content-type attribute', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await teams.publish('jgt-amsterdam', event);

    expect(sends()[0]?.MessageAttributes).toEqual({
      'content-type': { DataType: 'String', StringValue: 'application/cloudevents+json; charset=UTF-8' },
    });
  });

  it('looks a team’s queue URL up once and reuses it', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await teams.publish('jgt-amsterdam', event);
    await teams.publish('jgt-amsterdam', event);
    await teams.publish('jgt-amsterdam', event);

    expect(lookups()).toEqual(['schakel-demo-team-jgt-amsterdam']);
    expect(sends()).toHaveLength(3);
  });

  it('looks up once for concurrent first publishes to one team', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await Promise.all([teams.publish('jgt-amsterdam', event), teams.publish('jgt-amsterdam', event)]);

    expect(lookups()).toHaveLength(1);
  });

  it('looks each team’s queue up separately', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await teams.publish('jgt-amsterdam', event);
    await teams.publish('jgt-hillegom', event);

    expect(lookups()).toEqual(['schakel-demo-team-jgt-amsterdam', 'schakel-demo-team-jgt-hillegom']);
    expect(sends().map((s) => s.QueueUrl)).toEqual([
      urlOf('schakel-demo-team-jgt-amsterdam'),
      urlOf('schakel-demo-team-jgt-hillegom'),
    ]);
  });

  it('does not cache a failed lookup: the next publish looks up again and succeeds', async () => {
    sqsMock
      .on(GetQueueUrlCommand)
      .rejectsOnce(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }))
      .resolves({ QueueUrl: urlOf('schakel-demo-team-jgt-amsterdam') });
    const teams = new SqsTeamQueue(sqs, 'demo');

    await expect(teams.publish('jgt-amsterdam', event)).rejects.toBeInstanceOf(QueueDoesNotExist);
    await teams.publish('jgt-amsterdam', event);

    expect(lookups()).toHaveLength(2);
    expect(sends().map((s) => s.QueueUrl)).toEqual([urlOf('schakel-demo-team-jgt-amsterdam')]);
  });

  it('fails, without caching, when the lookup answers without a URL', async () => {
    sqsMock
      .on(GetQueueUrlCommand)
      .resolvesOnce({})
      .resolves({ QueueUrl: urlOf('q') });
    const teams = new SqsTeamQueue(sqs, 'demo');

    await expect(teams.publish('jgt-amsterdam', event)).rejects.toThrow('jgt-amsterdam');
    await teams.publish('jgt-amsterdam', event);

    expect(lookups()).toHaveLength(2);
    expect(sends()).toHaveLength(1);
  });

  it('passes a failed send on and keeps the looked-up URL', async () => {
    sqsMock.on(SendMessageCommand).rejectsOnce(new Error('KMS.ThrottlingException')).resolves({});
    const teams = new SqsTeamQueue(sqs, 'demo');

    await expect(teams.publish('jgt-amsterdam', event)).rejects.toThrow('KMS.ThrottlingException');
    await teams.publish('jgt-amsterdam', event);

    expect(lookups()).toHaveLength(1);
    expect(sends()).toHaveLength(2);
  });

  it('refuses a team whose queue name would exceed the SQS limit of 80 characters', async () => {
    const teams = new SqsTeamQueue(sqs, 'demo');

    await expect(teams.publish('t'.repeat(70), event)).rejects.toBeInstanceOf(RangeError);
    expect(sends()).toEqual([]);
  });
});
