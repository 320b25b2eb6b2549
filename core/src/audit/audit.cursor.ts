import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

/** Where a page of the audit log stopped: the last entry's time (to the microsecond) and id. */
export interface AuditCursor {
  at: string;
  id: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to callers: they pass back what they were given. */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(value: string): AuditCursor {
  const [at, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !at || !id || !AT.test(at) || !ID.test(id) || Number.isNaN(Date.parse(at))) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, 'after is not a cursor of the audit log: pass the endCursor of the previous page', { field: 'after' });
  }
  return { at, id };
}
