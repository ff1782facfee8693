// The task suite as the UI and `lab tasks` list it.
import { loadTasks } from '../../core/tasks/registry.ts';
import { episodeSetup } from '../../core/episode/setup.ts';
import type { Handlers } from '../dispatch.ts';

export const handlers: Handlers<'tasks'> = {
  'tasks.list': async () =>
    (await loadTasks()).map((t) => ({
      id: t.id,
      title: t.title,
      split: t.split,
      skills: t.skills,
      arms: t.arms,
      example: episodeSetup(t, 0).instruction,
    })),
};
