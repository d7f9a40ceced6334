import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { type AnswerSubjectAccessDeps, answerSubjectAccess } from './answer-subject-access.js';
import { ANSWER_SUBJECT_ACCESS_OPERATIONS } from './declaration.js';

const implementations: Implementations<typeof ANSWER_SUBJECT_ACCESS_OPERATIONS, AnswerSubjectAccessDeps> = {
  requestSubjectAccess: async ({ client, user, body }, deps) => ({
    status: 200,
    body: await answerSubjectAccess(deps, { client, user, request: body }),
  }),
};

export const makeHandler = (deps: AnswerSubjectAccessDeps) =>
  apiHandler(ANSWER_SUBJECT_ACCESS_OPERATIONS, implementations, deps);
