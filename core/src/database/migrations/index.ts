import { Initial1764230400000 } from './1764230400000-initial.js';
import { ClusterTruth1796140800000 } from './1796140800000-cluster-truth.js';
import { Feedback1796230000000 } from './1796230000000-feedback.js';
import { Notifications1796400000000 } from './1796400000000-notifications.js';
import { People1796500000000 } from './1796500000000-people.js';
import { KeylessCi1796510000000 } from './1796510000000-keyless-ci.js';
import { AuditLog1796520000000 } from './1796520000000-audit-log.js';
import { SingleSignOn1796550000000 } from './1796550000000-single-sign-on.js';
import { AppSettings1796600000000 } from './1796600000000-app-settings.js';
import { PromotionApprovals1796610000000 } from './1796610000000-promotion-approvals.js';

/** In order. A new migration is appended here; a test fails when entities and migrations disagree. */
export const migrations = [Initial1764230400000, ClusterTruth1796140800000, Feedback1796230000000, Notifications1796400000000, People1796500000000, KeylessCi1796510000000, AuditLog1796520000000, SingleSignOn1796550000000, AppSettings1796600000000, PromotionApprovals1796610000000];
