import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processStreamBatch } from '../../../../local/event-sources/stream-batch.js';
import type { StreamMappingSettings } from '../../../../local/topology/model.js';

const settings: StreamMappingSettings = {
  batchSize: 100,
  maxRetryAttempts: 2,
  maxRecordAgeSeconds: -1,
  bisectOnError: true,
  reportBatchItemFailures: true,
};

function records(...sequenceNumbers: string[]): DynamoDBRecord[] {
  return sequenceNumbers.map((SequenceNumber) => ({ eventName: 'INSERT', dynamodb: { SequenceNumber } }));
}

const sequences = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb?.SequenceNumber);

describe('processStreamBatch', () => {
  it('checkpoints the last record when the batch succeeds', async () => {
    const result = await processStreamBatch(records('1', '2', '3'), settings, async () => ({
      batchItemFailures: [],
    }));

    expect(result).toEqual({ checkpoint: '3', discarded: [] });
  });

  it('retries from the lowest failed sequence number after a partial failure', async () => {
    const calls: (string | undefined)[][] = [];
    const result = await processStreamBatch(records('1', '2', '3', '4'), settings, async (event) => {
      calls.push(sequences(event));
      return calls.length === 1
        ? { batchItemFailures: [{ itemIdentifier: '4' }, { itemIdentifier: '3' }] }
        : {};
    });

    expect(calls).toEqual([
      ['1', '2', '3', '4'],
      ['3', '4'],
    ]);
    expect(result.checkpoint).toBe('4');
  });

  it('bisects on a function error until the poison record is alone, then discards it after the retries', async () => {
    const calls: (string | undefined)[][] = [];
    const result = await processStreamBatch(records('1', '2', '3', '4'), settings, async (event) => {
      calls.push(sequences(event));
      if (sequences(event).includes('3')) throw new Error('poison');
      return undefined;
    });

    // [1-4] fails → [1,2] ok, [3,4] fails → [3] fails 1 + 2 retries → discarded, [4] ok.
    expect(calls).toEqual([['1', '2', '3', '4'], ['1', '2'], ['3', '4'], ['3'], ['3'], ['3'], ['4']]);
    expect(result.discarded).toEqual([
      { records: records('3'), attempts: 3, condition: 'RetryAttemptsExhausted' },
    ]);
    expect(result.checkpoint).toBe('4');
  });

  it('retries the whole batch without bisecting when bisecting is off', async () => {
    let calls = 0;
    const result = await processStreamBatch(
      records('1', '2'),
      { ...settings, bisectOnError: false, maxRetryAttempts: 1 },
      async () => {
        calls += 1;
        throw new Error('down');
      },
    );

    expect(calls).toBe(2);
    expect(result.discarded.map((d) => d.records.length)).toEqual([2]);
    expect(result.checkpoint).toBe('2');
  });

  it('stops without a checkpoint when aborted before the batch succeeds', async () => {
    const controller = new AbortController();
    const result = await processStreamBatch(
      records('1', '2'),
      { ...settings, bisectOnError: false, maxRetryAttempts: -1 },
      async () => {
        controller.abort();
        throw new Error('down');
      },
      { signal: controller.signal },
    );

    expect(result).toEqual({ checkpoint: undefined, discarded: [] });
  });
});

describe('processStreamBatch with a maximum record age', () => {
  const aged = { ...settings, maxRetryAttempts: -1, maxRecordAgeSeconds: 60 };
  /** Records that arrived at the given seconds since the epoch. */
  const arrivedAt = (...seconds: number[]): DynamoDBRecord[] =>
    seconds.map((s, i) => ({
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: String(i + 1), ApproximateCreationDateTime: s },
    }));

  it('retries a failing record until it is older than the maximum age, then gives it up and goes on', async () => {
    let now = 1_000_000_000; // ms; arrival times are in seconds, as in the stream
    const calls: (string | undefined)[][] = [];
    const result = await processStreamBatch(
      arrivedAt(999_945, 999_999, 1_000_000),
      aged,
      async (event) => {
        calls.push(sequences(event));
        return sequences(event)[0] === '1' ? { batchItemFailures: [{ itemIdentifier: '1' }] } : {};
      },
      {
        now: () => now,
        // The first record is 55 s old at the first try and 65 s at the retry, 10 s later.
        backoff: async () => {
          now += 10_000;
        },
      },
    );

    expect(result.discarded).toEqual([
      { records: arrivedAt(999_945), attempts: 1, condition: 'RecordAgeExceeded' },
    ]);
    expect(calls).toEqual([
      ['1', '2', '3'],
      ['2', '3'],
    ]);
    expect(result.checkpoint).toBe('3');
  });

  it('gives up every record of a batch that is too old before invoking anything', async () => {
    const calls: unknown[] = [];
    const result = await processStreamBatch(
      arrivedAt(100, 101),
      aged,
      async (event) => {
        calls.push(event);
        return {};
      },
      { now: () => 1_000_000_000 },
    );

    expect(calls).toEqual([]);
    expect(result).toEqual({
      checkpoint: '2',
      discarded: [{ records: arrivedAt(100, 101), attempts: 0, condition: 'RecordAgeExceeded' }],
    });
  });
});
