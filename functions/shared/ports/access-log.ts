import type { AccessRecord } from '../model.js';

/** Records a read of pupil data before the data is handed out (NEN 7513: every access logged). */
export interface AccessLog {
  recordRead(record: AccessRecord): Promise<void>;
}
