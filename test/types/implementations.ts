import type { RECEIVE_SIGNAL_OPERATIONS } from '../../functions/receive-signal/declaration.js';
import type { ReceiveSignalDeps } from '../../functions/receive-signal/handler.js';
import type { Implementations } from '../../functions/shared/declarations.js';

// Compile-time checks of the operation registry's types, run by `npm run typecheck`: each line
// marked @ts-expect-error must stay an error, or the typecheck fails ("unused directive").

type Impl = Implementations<typeof RECEIVE_SIGNAL_OPERATIONS, ReceiveSignalDeps>;
declare const implementation: Impl['getSignal'];

// @ts-expect-error an operation without implementation does not compile
export const missing: Impl = { submitSignal: implementation, getSignal: implementation };

export const misspelt: Impl = {
  submitSignal: implementation as never,
  getSignal: implementation,
  withdrawSignal: implementation as never,
  // @ts-expect-error an implementation of an operation that is not declared does not compile
  withdrawSignals: implementation,
};

// @ts-expect-error a status the operation does not declare does not compile
export const wrongStatus: Impl['getSignal'] = async () => ({ status: 201, body: undefined as never });
