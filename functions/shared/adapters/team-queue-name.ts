// Team queues carry a stable physical name: each team's consumer (outside this deployment) is
// configured with it, and route-signal resolves it with GetQueueUrl, so a region with ~100
// teams needs neither 100 environment variables (Lambda caps them at 4 KB) nor 100 stack outputs.

const MAX_SQS_NAME = 80;

export function teamQueueName(deployment: string, teamId: string): string {
  return checked(`schakel-${deployment}-team-${teamId}`);
}

export function teamDeadLetterQueueName(deployment: string, teamId: string): string {
  return checked(`schakel-${deployment}-team-${teamId}-dlq`);
}

/**
 * IAM resource pattern covering every team queue of a deployment. It also matches the team
 * DLQs (IAM has no "except"): the functions only ever send to the names above, never to a DLQ.
 */
export function teamQueueNamePattern(deployment: string): string {
  return `schakel-${deployment}-team-*`;
}

function checked(name: string): string {
  if (name.length > MAX_SQS_NAME) throw new RangeError(`SQS queue name longer than ${MAX_SQS_NAME}: ${name}`);
  return name;
}
