import { ApiProblem, get } from '../api.ts';
import { currentLang } from '../i18n.ts';

/**
 * What the applicant portal reads from the API (the shapes of `GET /openapi.json`, only the fields the
 * pages use), and small helpers to read it.
 */
export const MEMBER_KINDS = [
  'company',
  'think_tank',
  'university',
  'research_institute',
  'industry_association',
  'financial_institution',
  'other',
] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

export interface Party {
  name: string;
  uscc?: string;
  kind: MemberKind;
}

export interface Finding {
  rule: string;
  message: string;
}

export interface EligibilityView {
  eligible: boolean;
  failures: readonly Finding[];
  manualVerification: boolean;
  warnings: readonly Finding[];
}

export interface UsccCheckView {
  valid: boolean;
  checkDigitOk: boolean;
  expectedCheckChar?: string;
  regionCode: string;
  inZhongshan: boolean;
  entityType: string;
  problems: string[];
}

export interface Organisation {
  id: string;
  name: string;
  uscc: string;
  registeredCapitalCny: number;
  address: string;
  legalRepresentative: string;
  contact: { name: string; phone: string; email: string };
  usccCheck: UsccCheckView;
  verification: {
    status: 'not_required' | 'pending' | 'verified' | 'rejected';
    opinion?: string;
    decidedAt?: string;
  };
  createdAt: string;
}

export interface RequiredEvidence {
  kind: string;
  title: string;
  required: boolean;
}

export interface Call {
  id: string;
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  status: string;
  requiredEvidence: RequiredEvidence[];
}

export interface Application {
  id: string;
  callId: string;
  orgId: string;
  orgName: string;
  uscc: string;
  consortium: Party[];
  partners: Party[];
  registeredCapitalCny: number;
  committedEnterprisesPerYear: number;
  capabilities: string[];
  summary: string;
  status: string;
  eligibility: EligibilityView;
  submittedAt?: string;
  resubmittedAt?: string;
  supplementDeadline?: string;
  withdrawnAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Evidence {
  evidenceId: string;
  kind: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  status: 'pending_upload' | 'scanning' | 'verified' | 'rejected';
  createdAt: string;
  verifiedAt?: string;
  rejection?: { reason: string };
}

export interface Notification {
  id: string;
  event: string;
  title: string;
  entityType: string;
  entityId: string;
  detail: Record<string, unknown>;
  at: string;
  read: boolean;
  readAt?: string;
}

export interface Task {
  id: string;
  kind: string;
  entityType?: string;
  entityId: string;
  dueAt?: string;
  status?: string;
}

/**
 * The caller's organisation (`GET /v1/organisations/mine`): the server knows it, so a second device or a
 * cleared browser finds it too. `undefined` when none is registered yet (404 `NO_ORGANISATION`).
 */
export async function myOrganisation(): Promise<Organisation | undefined> {
  try {
    return await get<Organisation>('/v1/organisations/mine');
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) return undefined;
    throw e;
  }
}

/** The bilingual text the server writes ("中文 / English"): the half of the current language. */
export const bilingual = (text: string): string => findingText({ rule: '', message: text });

/**
 * The server's eligibility messages are bilingual ("中文 / English"); show the half of the current
 * language (the rule id stays the key for anything programmatic).
 */
export function findingText(f: Finding): string {
  const m = /^(.*?)\s?\/ (?=[A-Z])(.*)$/s.exec(f.message);
  if (!m) return f.message;
  return currentLang() === 'en' ? (m[2] ?? f.message) : (m[1] ?? f.message);
}

/** Content types the API accepts for evidence, from the file name when the browser gives none. */
const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword',
};
export const contentTypeOf = (file: File): string =>
  file.type || BY_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''] || 'application/octet-stream';

/** A host's advance notice of a change to come (Art. 10): rename, bankruptcy, restructuring. */
export interface AdvanceNotice {
  id: string;
  kind: string;
  effectiveDate: string;
  description: string;
  filedBy: string;
  filedAt: string;
}

/** A data owner's consent to share a platform's data with observers (Art. 11), by scope, until a date. */
export interface Consent {
  id: string;
  dataOwner: string;
  scope: string[];
  validUntil: string;
  createdAt: string;
}
