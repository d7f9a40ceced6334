import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  ShardIteratorType,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StateChange } from '../../write-audit/derive-audit-event.js';
import type { ChangeStream, StreamRange, StreamRead } from '../ports/change-history.js';

/** Sequence numbers are decimal strings of varying length. */
const compare = (a: string, b: string) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * GetRecords may answer empty pages before it reaches the records of a shard ("it might take
 * multiple calls to get to a portion of the shard that contains stream records"). A range that lies
 * in the past is there to be found; after this many empty pages in a row the read is given up as
 * incomplete (and retried), never taken for the whole range.
 */
const MAX_EMPTY_PAGES = 50;

export class StreamReadIncompleteError extends Error {
  override name = 'StreamReadIncompleteError';
}

/** A stretch of the state table's stream, re-read from DynamoDB Streams. */
export class DynamoDbChangeStream implements ChangeStream {
  constructor(private readonly streams: DynamoDBStreamsClient) {}

  async read(range: StreamRange): Promise<StreamRead> {
    let iterator = await this.iterator(range, ShardIteratorType.AT_SEQUENCE_NUMBER);
    // The start is past the stream's retention; the rest of the range may still be there.
    let startTrimmed = false;
    if (iterator === 'trimmed') {
      iterator = await this.iterator(range, ShardIteratorType.TRIM_HORIZON);
      if (iterator === 'trimmed') return { kind: 'trimmed' };
      startTrimmed = true;
    }
    const changes: { key: string; change: StateChange }[] = [];
    let first: string | undefined;
    let emptyPages = 0;
    let reachedEnd = false;
    while (iterator && !reachedEnd) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = page.Records ?? [];
      emptyPages = records.length === 0 ? emptyPages + 1 : 0;
      if (emptyPages > MAX_EMPTY_PAGES) {
        throw new StreamReadIncompleteError(`no record up to ${range.endSequenceNumber} in ${range.shardId}`);
      }
      for (const record of records) {
        const sequence = record.dynamodb?.SequenceNumber ?? '';
        if (compare(sequence, range.startSequenceNumber) < 0) continue;
        if (compare(sequence, range.endSequenceNumber) > 0) {
          reachedEnd = true;
          break;
        }
        first ??= sequence;
        const change = toChange(record);
        if (change) changes.push({ key: sequence, change });
        if (compare(sequence, range.endSequenceNumber) === 0) {
          reachedEnd = true;
          break;
        }
      }
      // A closed shard read to its end has nothing more of the range.
      iterator = page.NextShardIterator;
    }
    // Records missing at the start: the range was partly trimmed since the iterator was taken.
    const whole = !startTrimmed && first === range.startSequenceNumber;
    return { kind: whole ? 'records' : 'partial', changes };
  }

  private async iterator(
    range: StreamRange,
    type: ShardIteratorType,
  ): Promise<string | undefined | 'trimmed'> {
    try {
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: type,
          ...(type === ShardIteratorType.AT_SEQUENCE_NUMBER
            ? { SequenceNumber: range.startSequenceNumber }
            : {}),
        }),
      );
      return ShardIterator;
    } catch (error) {
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
        return 'trimmed';
      }
      throw error;
    }
  }
}

function toChange(record: StreamRecord): StateChange | undefined {
  const { eventName } = record;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') return undefined;
  const { NewImage, OldImage } = record.dynamodb ?? {};
  return {
    eventName,
    ...(NewImage ? { newItem: plain(NewImage) } : {}),
    ...(OldImage ? { oldItem: plain(OldImage) } : {}),
  };
}

function plain(image: Record<string, StreamAttributeValue>): Record<string, unknown> {
  return unmarshall(normalise(image) as Record<string, AttributeValue>);
}

/** DynamoDB Local's stream writes an empty map as `{}`; it has no other reading than `{ M: {} }`. */
function normalise(image: Record<string, StreamAttributeValue>): Record<string, unknown> {
  const fix = (value: StreamAttributeValue): unknown => {
    if (Object.keys(value).length === 0) return { M: {} };
    if (value.M) return { M: normalise(value.M) };
    if (value.L) return { L: value.L.map(fix) };
    return value;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fix(v)]));
}
