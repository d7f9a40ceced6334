import { parseArgs } from 'node:util';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readLocalConfig } from './local-config.js';
import { replayMessages } from './replay-messages.js';

// npm run audit:replay — sends the stream batches that recover-audit could not recover (the audit
// recovery dead-letter queue) back to the audit recovery queue, once the cause is fixed, so they
// are recovered after all. Against the local hub by default; against a deployment with the two
// queue URLs from its stateful stack and the normal AWS credential chain:
//
//   npm run audit:replay
//   npm run audit:replay -- --from <recovery DLQ URL> --to <recovery queue URL> --region eu-central-1

const USAGE = 'usage: npm run audit:replay [-- --from URL --to URL --region REGION]';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (Boolean(values.from) !== Boolean(values.to)) {
  console.error(`give both --from and --to, or neither for the local hub\n${USAGE}`);
  process.exit(2);
}

let sqs: SQSClient;
let from: string;
let to: string;
if (values.from && values.to) {
  sqs = new SQSClient(values.region ? { region: values.region } : {});
  from = values.from;
  to = values.to;
} else {
  const local = readLocalConfig();
  sqs = new SQSClient({
    region: local.region,
    endpoint: local.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const url = async (QueueName: string) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;
  // The local names of local/topology/templates.ts.
  from = await url('schakel-local-audit-recovery-dlq');
  to = await url('schakel-local-audit-stream-dlq');
}

try {
  const { moved } = await replayMessages(sqs, from, to, ({ moved }) =>
    process.stdout.write(`\rmoved ${moved}`),
  );
  console.log(
    moved === 0
      ? 'nothing to replay: the audit recovery dead-letter queue is empty'
      : `\nmoved ${moved} stream batches back to the audit recovery queue; recover-audit appends them now`,
  );
} catch (error) {
  console.error(`replay stopped: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
