// Closed vocabularies of the domain; wire names in English, Dutch equivalents in the README glossary.

export const CONCERNS = [
  'absence',
  'behaviour',
  'social-emotional',
  'home-situation',
  'learning',
  'development',
  'safety',
] as const;
export type Concern = (typeof CONCERNS)[number];

export const URGENCIES = ['regular', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const REQUEST_TYPES = ['referral', 'consultation'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const SIGNAL_STATUSES = ['received', 'routed', 'unroutable', 'withdrawn'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/**
 * The signal's overall status as the school follows it, from its own status and its referrals':
 * `routed` (a team has it), `accepted`, `in-progress` (help started), `closed`; or `received`,
 * `unroutable` (waiting for the municipality), `withdrawn`.
 */
export const SIGNAL_PROGRESS = [
  'received',
  'routed',
  'accepted',
  'in-progress',
  'closed',
  'unroutable',
  'withdrawn',
] as const;
export type SignalProgress = (typeof SIGNAL_PROGRESS)[number];

export const UNROUTABLE_REASONS = ['no-rule', 'all-teams-rejected'] as const;

export const CLIENT_ROLES = ['school', 'provider', 'municipality', 'admin'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** Team kinds: CJG (centrum voor jeugd en gezin), JGT (jeugd- en gezinsteam), wijkteam. */
export const TEAM_KINDS = ['cjg', 'jgt', 'wijkteam'] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];
