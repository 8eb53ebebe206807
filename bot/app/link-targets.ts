import type { LinkTarget, LinkTargetRef, LinkTargets } from '../channels/links';
import type { Language } from '../i18n';
import type { Process } from '../processes/process';
import type { Project } from '../projects/project';
import type { TableTaskIndex } from '../tasks/task-store';

/**
 * What channel links read of processes and projects (bot/channels/links.ts): names, owners,
 * whether open, and task counts from the task index. Never a mandate, goal or task text.
 */
export function linkTargets(deps: {
  processes: { list(): Promise<Process[]> };
  projects: { list(): Promise<Project[]> };
  taskIndex: Pick<TableTaskIndex, 'ofParent'>;
}): LinkTargets {
  return {
    async list(language: Language): Promise<LinkTarget[]> {
      const [processes, projects] = await Promise.all([
        deps.processes.list(),
        deps.projects.list(),
      ]);
      return [
        ...processes.map((p) => ({
          kind: 'process' as const,
          id: p.ref,
          name: (language === 'en' && p.name.en) || p.name.nb,
          ownerId: p.ownerId,
          open: p.status !== 'closed',
        })),
        ...projects.map((p) => ({
          kind: 'project' as const,
          id: p.ref,
          name: p.name,
          ownerId: p.ownerId,
          open: p.status === 'active',
        })),
      ];
    },
    /** `including`: a task just made, counted even before its index row is written. */
    async progress(target: LinkTargetRef, including = '') {
      const rows = (await deps.taskIndex.ofParent(target.kind, target.id)).filter(
        (r) => r.status !== 'cancelled',
      );
      const missing = including && !rows.some((r) => r.ref === including) ? 1 : 0;
      return {
        done: rows.filter((r) => r.status === 'done').length,
        total: rows.length + missing,
      };
    },
  };
}
