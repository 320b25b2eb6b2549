import type { DataSource } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { KipperConfig } from '../config/config.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { appLabel } from '../revisions/revision.records.js';
import { WebhookTrust } from './webhook-trust.entity.js';
import { checkAudience, checkIssuer, checkSubject, TRUSTS_PER_APP_MAX, type Checked } from './webhook-trust.rules.js';

export interface TrustInput {
  issuer: string;
  subject: string;
  /** Default `kipper`. */
  audience?: string | null;
}

/** Which trusts to remove: one by id, or those of an issuer and subject (and audience, when given). */
export type UntrustInput = { id: string } | { issuer: string; subject: string; audience?: string | null };

type AppRef = Pick<App, 'id' | 'namespace' | 'name'>;

function valueOf<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new KipperError(ErrorCode.VALIDATION_FAILED, `The ${checked.problem}`);
  return checked.value;
}

/** The CI identities an app's webhook trusts (keyless CI): list, trust, untrust; each change audited. */
export class WebhookTrustService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      config: Pick<KipperConfig, 'ciIssuerAllowPrivate'>;
      audit: Pick<AuditService, 'record'>;
    },
  ) {}

  /** Oldest first. */
  async list(appId: string): Promise<WebhookTrust[]> {
    return this.deps.dataSource.getRepository(WebhookTrust).find({ where: { appId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Trusts a CI identity. VALIDATION_FAILED (nothing changed) for a wrong issuer, subject or
   * audience, or past 20 trusts. Trusting the same issuer, subject and audience again changes
   * nothing and answers the existing trust.
   */
  async trust(app: AppRef, input: TrustInput, actor: string): Promise<WebhookTrust> {
    const subject = valueOf(checkSubject(input.subject));
    const audience = valueOf(checkAudience(input.audience));
    const issuer = valueOf(await checkIssuer(input.issuer, this.deps.config.ciIssuerAllowPrivate));
    return this.deps.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(WebhookTrust);
      // Serialises trusts of one app, so the limit holds under concurrent calls.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [`kipper.webhook-trust:${app.id}`]);
      const existing = await repo.findOneBy({ appId: app.id, issuer, subject, audience });
      if (existing) return existing;
      if ((await repo.countBy({ appId: app.id })) >= TRUSTS_PER_APP_MAX) {
        throw new KipperError(ErrorCode.VALIDATION_FAILED, `App ${app.name} already trusts ${TRUSTS_PER_APP_MAX} CI identities: remove one (kip app webhook untrust) or use a * wildcard`);
      }
      const saved = await repo.save(repo.create({ appId: app.id, issuer, subject, audience, createdBy: actor }));
      await this.deps.audit.record(actor, 'webhook.trust', appLabel(app), { trust: saved.id, issuer, subject, audience }, tx);
      return saved;
    });
  }

  /** Removes trusts and answers them; WEBHOOK_TRUST_NOT_FOUND (nothing changed) when none matches. */
  async untrust(app: AppRef, input: UntrustInput, actor: string): Promise<WebhookTrust[]> {
    return this.deps.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(WebhookTrust);
      const all = await repo.find({ where: { appId: app.id }, order: { createdAt: 'ASC', id: 'ASC' } });
      const matching = 'id' in input ? all.filter((t) => t.id === input.id) : all.filter((t) => matches(t, input));
      if (matching.length === 0) {
        const what = 'id' in input ? `no trust with id ${input.id}` : `no trust of issuer ${input.issuer} for subject ${input.subject}${input.audience ? ` and audience ${input.audience}` : ''}`;
        throw new KipperError(ErrorCode.WEBHOOK_TRUST_NOT_FOUND, `App ${app.name} has ${what}: kip app webhook status ${app.name} lists its trusts`);
      }
      await repo.delete(matching.map((t) => t.id));
      for (const t of matching) {
        await this.deps.audit.record(actor, 'webhook.untrust', appLabel(app), { trust: t.id, issuer: t.issuer, subject: t.subject, audience: t.audience }, tx);
      }
      return matching;
    });
  }
}

function matches(trust: WebhookTrust, input: { issuer: string; subject: string; audience?: string | null }): boolean {
  const issuer = input.issuer.trim().replace(/\/+$/, '');
  const audience = input.audience?.trim();
  return trust.issuer === issuer && trust.subject === input.subject.trim() && (!audience || trust.audience === audience);
}
