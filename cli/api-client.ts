import * as z from 'zod/mini';
import { ProblemSchema } from '../schemas/problem.js';
import { CommandFailedError } from './cli-errors.js';

// The hub's API as an operator's command calls it: Bearer API key (authorize-client reads the
// Authorization header), JSON bodies, RFC 9457 problems made readable.

export interface ApiTarget {
  apiUrl: string;
  apiKey: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The API refused: the problem, as a person reads it. */
export class ApiRefusedError extends CommandFailedError {
  override name = 'ApiRefusedError';
}

function describeRefusal(status: number, contentType: string, text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem = ProblemSchema.safeParse(body);
  if (contentType.includes('problem+json') && problem.success) {
    const { title, detail, invalidParams = [] } = problem.data;
    return [
      `The API refused / De API weigerde: ${status} ${title}`,
      `  ${detail}`,
      ...invalidParams.map((p) => `  - ${p.name}: ${p.reason}`),
    ].join('\n');
  }
  const snippet = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  return `The API answered / De API antwoordde: ${status}${snippet ? `\n  ${snippet}` : ''}`;
}

function unreachable(url: string, error: unknown): CommandFailedError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CommandFailedError(
    `cannot reach / niet bereikbaar: ${url} (${why}); is the hub running (npm start) and --api-url right?`,
  );
}

/** A call to the API whose answer must be 2xx; anything else is an ApiRefusedError. */
export async function callApi(
  target: ApiTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const url = `${target.apiUrl.replace(/\/+$/, '')}${path}`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${target.apiKey}`,
    Accept: 'application/json, application/problem+json',
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw unreachable(url, error);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ApiRefusedError(
      describeRefusal(response.status, response.headers.get('content-type') ?? '', text),
    );
  }
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    throw new CommandFailedError(`${method} ${path} answered ${response.status} without JSON`);
  }
}

/** Validates an answer against the shared schema; a mismatch is the API's fault, said as such. */
export function answerAs<T>(schema: z.ZodMiniType<T>, answer: ApiAnswer, what: string): T {
  const result = schema.safeParse(answer.body);
  if (!result.success) {
    throw new CommandFailedError(
      `the API's ${what} is not what this CLI expects:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
