import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { type LocalConfig, municipalityClient, schoolClient, teamClient } from '../../local/local-config.js';

// A thin HTTP client for the e2e tests: what a school system or team consumer would do.

export const localConfig: LocalConfig = inject('localConfig');

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function call(
  method: 'GET' | 'POST',
  path: string,
  options: {
    apiKey?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    body = options.rawBody ?? JSON.stringify(options.body);
    headers['Content-Type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${localConfig.apiUrl}${path}`, {
    method,
    headers,
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const school = () => schoolClient(localConfig);
export const team = (teamId: string) => teamClient(localConfig, teamId);
export const municipality = (code: string) => municipalityClient(localConfig, code);

export const sqs = new SQSClient({
  region: localConfig.region,
  endpoint: localConfig.sqsEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** Receives (and deletes) messages from a team queue until `match` finds one or time runs out. */
export async function receiveFromTeamQueue<T>(
  queueUrl: string,
  match: (message: unknown) => T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages ?? []) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      const found = match(JSON.parse(message.Body ?? '{}'));
      if (found !== undefined) return found;
    }
  }
  throw new Error(`no matching message on ${queueUrl} within ${timeoutMs} ms`);
}

/** Polls until `probe` returns a value (eventual steps: routing, the audit stream). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
