import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../hostile/mutations.js';
import { expectationOf, judge } from '../../hostile/oracle.js';
import type { Answer } from '../../hostile/requests.js';
import type { Effects } from '../../hostile/world.js';

// The fuzz passes only if its oracle can fail: each rule of the contract it checks, broken once.

const NOTHING: Effects = {
  stateWrites: 0,
  intakeMessages: 0,
  teamMessages: 0,
  accessRecords: 0,
  auditEvents: 4,
};

function fieldMutation(field: string): Mutation {
  return {
    name: `overlong@body.${field}`,
    family: 'overlong',
    scope: 'field',
    touches: [`body.${field}`],
    edits: [],
    expect: { status: 400, names: [{ anyOf: [field] }] },
  };
}

const role: Mutation = {
  name: 'role-not-allowed@client.provider',
  family: 'role-not-allowed',
  scope: 'role',
  touches: ['client'],
  edits: [],
  expect: { status: 403 },
};

function problem(status: number, invalidParams?: { name: string; reason: string }[]): Answer {
  const body = {
    status,
    title: 'Bad Request',
    detail: 'See invalidParams.',
    ...(invalidParams ? { invalidParams } : {}),
  };
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'api-version': '1.0.0' },
    text: JSON.stringify(body),
    json: body,
  };
}

const kinds = (answer: Answer, mutations: Mutation[], after: Effects = NOTHING) =>
  judge(mutations, answer, NOTHING, after).map((v) => v.kind);

describe('hostile oracle', () => {
  it('accepts a 400 problem that names every mutated field in sentences', () => {
    const answer = problem(400, [
      { name: 'summary', reason: 'must be at most 2000 characters' },
      { name: 'contact.name', reason: 'must be at most 200 characters' },
    ]);

    expect(kinds(answer, [fieldMutation('summary'), fieldMutation('contact.name')])).toEqual([]);
  });

  it('reports a field that was mutated but not named', () => {
    const answer = problem(400, [{ name: 'summary', reason: 'must be at most 2000 characters' }]);

    const violations = judge(
      [fieldMutation('summary'), fieldMutation('contact.name')],
      answer,
      NOTHING,
      NOTHING,
    );

    expect(violations.map((v) => [v.kind, v.culprits])).toEqual([
      ['missing-name', ['overlong@body.contact.name']],
    ]);
  });

  it.each([
    ['Invalid input: expected string, received number'],
    ['Too big: expected string to have <=2000 characters'],
    ['Unrecognized key: "x"'],
    [''],
  ])('reports the reason "%s" as not a sentence of this API', (reason) => {
    expect(kinds(problem(400, [{ name: 'summary', reason }]), [fieldMutation('summary')])).toEqual([
      'raw-reason',
    ]);
  });

  it('takes a sentence naming the status `received` for what it is', () => {
    const reason = 'must be one of received, routed, unroutable, withdrawn';

    expect(kinds(problem(400, [{ name: 'summary', reason }]), [fieldMutation('summary')])).toEqual([]);
  });

  it('reports a 5xx, and an accepted request as the wrong status', () => {
    expect(kinds(problem(500), [fieldMutation('summary')])).toEqual(['server-error', 'unexpected-status']);
    expect(kinds({ ...problem(202), json: { id: 'x' } }, [fieldMutation('summary')])).toEqual([
      'unexpected-status',
    ]);
  });

  it('reports anything stored or sent, even with the right answer', () => {
    const answer = problem(400, [{ name: 'summary', reason: 'must not be empty' }]);

    expect(kinds(answer, [fieldMutation('summary')], { ...NOTHING, teamMessages: 1 })).toEqual(['stored']);
  });

  it('reports a 4xx that is not problem+json, or whose status differs from the answer', () => {
    const plain = {
      ...problem(400, [{ name: 'summary', reason: 'must not be empty' }]),
      headers: { 'api-version': '1' },
    };
    const mismatched = { ...problem(400), json: { status: 422, title: 'x', detail: 'y' } };

    expect(kinds(plain, [fieldMutation('summary')])).toEqual(['not-problem-json']);
    expect(kinds(mismatched, [fieldMutation('summary')])).toContain('problem-status');
  });

  it('expects 403 when the role is refused, whatever else is wrong', () => {
    expect(expectationOf([fieldMutation('summary'), role])).toEqual({ status: 403 });
    expect(
      kinds(problem(400, [{ name: 'summary', reason: 'must not be empty' }]), [
        fieldMutation('summary'),
        role,
      ]),
    ).toEqual(['unexpected-status']);
  });
});
