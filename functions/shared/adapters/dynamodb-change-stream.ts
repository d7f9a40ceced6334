import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  ShardIteratorType,
  type AttributeValue as StreamAttributeValue,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StateChange } from '../../write-audit/derive-audit-event.js';
import type { ChangeStream, StreamRange, StreamRead } from '../ports/change-history.js';

/** Sequence numbers are decimal strings of varying length. */
const after = (a: string, b: string) => BigInt(a) > BigInt(b);

/**
 * GetRecords on an open shard may answer empty pages before the next records; a range that lies
 * in the past is complete once this many empty pages follow each other.
 */
const EMPTY_PAGES_AT_END = 5;

/** A stretch of the state table's stream, re-read from DynamoDB Streams. */
export class DynamoDbChangeStream implements ChangeStream {
  constructor(private readonly streams: DynamoDBStreamsClient) {}

  async read(range: StreamRange): Promise<StreamRead> {
    let iterator: string | undefined;
    try {
      ({ ShardIterator: iterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: ShardIteratorType.AT_SEQUENCE_NUMBER,
          SequenceNumber: range.startSequenceNumber,
        }),
      ));
    } catch (error) {
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
        return { kind: 'trimmed' };
      }
      throw error;
    }
    const changes: { key: string; change: StateChange }[] = [];
    let emptyPages = 0;
    while (iterator && emptyPages < EMPTY_PAGES_AT_END) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = page.Records ?? [];
      emptyPages = records.length === 0 ? emptyPages + 1 : 0;
      for (const record of records) {
        const sequence = record.dynamodb?.SequenceNumber ?? '';
        if (after(sequence, range.endSequenceNumber)) return { kind: 'records', changes };
        const { eventName } = record;
        if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') continue;
        const { NewImage, OldImage } = record.dynamodb ?? {};
        changes.push({
          key: sequence,
          change: {
            eventName,
            ...(NewImage ? { newItem: plain(NewImage) } : {}),
            ...(OldImage ? { oldItem: plain(OldImage) } : {}),
          },
        });
      }
      iterator = page.NextShardIterator;
    }
    // The range's first record was found, so the stream held the range; a closed shard ends here.
    return { kind: 'records', changes };
  }
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
