import { grantActions, requestActions } from './delegation-actions';
import { DelegationService } from './delegation-service';
import { serveExport } from './delegation-export';
import { delegationReview } from './delegation-review';
import { delegationTime } from './delegation-time';
import { GRANT_KIND, REQUEST_KIND } from './delegation-views';
import type { Organisation } from '../org/organisation';
import type { DelegationDeps } from './ports';

/** The delegation feature as the composition root plugs it in: commands, pipelines, background. */
export function delegationFeature(deps: DelegationDeps) {
  const time = delegationTime(deps);
  const review = delegationReview(deps);
  return {
    service: new DelegationService(deps),
    cardActions: [grantActions(deps), requestActions(deps)],
    composers: [...time.composers, ...review.composers],
    drawers: { [GRANT_KIND]: time.drawGrant, [REQUEST_KIND]: time.drawRequest },
    expireJob: time.expireJob,
    expire: time.expire,
    /** Rule 6: an org import's listener (OrgStore.onImported); says how many were flagged. */
    afterOrgImport: async (before: Organisation, after: Organisation) => {
      const flagged = await review.reviewOrgChange(before, after, deps.clock.now());
      return flagged ? `${flagged} personal grants flagged for review (rule 6).` : undefined;
    },
    /** GET /fullmakter/<claim>/<file>: the links of "eksporter fullmakter". */
    serveExport: (file: string) => serveExport(file, deps),
  };
}
