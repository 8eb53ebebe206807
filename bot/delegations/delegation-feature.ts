import { grantActions, requestActions } from './delegation-actions';
import { DelegationService } from './delegation-service';
import { delegationTime } from './delegation-time';
import { GRANT_KIND, REQUEST_KIND } from './delegation-views';
import type { DelegationDeps } from './ports';

/** The delegation feature as the composition root plugs it in: commands, pipelines, background. */
export function delegationFeature(deps: DelegationDeps) {
  const time = delegationTime(deps);
  return {
    service: new DelegationService(deps),
    cardActions: [grantActions(deps), requestActions(deps)],
    composers: time.composers,
    drawers: { [GRANT_KIND]: time.drawGrant, [REQUEST_KIND]: time.drawRequest },
    expireJob: time.expireJob,
    expire: time.expire,
  };
}
