import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';

// Where the stream event source stands in each shard, kept in the data dir across restarts, as
// Lambda keeps a mapping's position. Written atomically: a crash leaves the old file or the new.

const CheckpointSchema = z.object({
  streamArn: z.string(),
  shards: z.record(
    z.string(),
    z.object({ sequenceNumber: z.string().optional(), finished: z.boolean().optional() }),
  ),
});
type Checkpoint = z.infer<typeof CheckpointSchema>;

export function readCheckpoint(file: string, streamArn: string): Checkpoint {
  try {
    const parsed = CheckpointSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    // A new stream (the table was recreated) starts from its beginning.
    if (parsed.streamArn === streamArn) return parsed;
  } catch {
    // Missing or unreadable: start from the trim horizon. Replays are harmless, the audit writer is idempotent.
  }
  return { streamArn, shards: {} };
}

export function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, file);
}
