// lab models [--json] | lab models add <file.gguf> [--name N] | lab models remove <name>
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { ModelRegistry } from '../core/llm/model-registry.ts';
import { print } from './print.ts';

export async function modelsCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const registry = new ModelRegistry();
  const [sub, target, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError('too many arguments for lab models');
  if (sub === 'add') {
    if (!target) throw new UsageError('lab models add needs a GGUF file');
    const entry = await registry.add(target, typeof flags.name === 'string' ? flags.name : undefined);
    print(
      flags.json
        ? entry
        : `registered ${entry.name}: ${entry.info.architecture} ${entry.info.type}, ${entry.info.parameters.toLocaleString('en-US')} parameters, ${entry.info.quantisation ?? '?'}\n`,
      flags.json === true,
    );
    return 0;
  }
  if (sub === 'remove') {
    if (!target) throw new UsageError('lab models remove needs a model name');
    registry.remove(target);
    print(flags.json ? { removed: target } : `removed ${target}\n`, flags.json === true);
    return 0;
  }
  if (sub !== undefined)
    throw new UsageError(`unknown models command '${sub}': use add or remove, or nothing to list`);
  const models = registry.list();
  if (flags.json) print(models, true);
  else if (models.length === 0)
    print(`no models registered (${registry.file}); add one with lab models add <file.gguf>\n`, false);
  else
    print(
      models
        .map(
          (m) =>
            `${m.name.padEnd(24)} ${m.info.type.padEnd(8)} ${m.info.architecture.padEnd(10)} ${m.info.parameters.toLocaleString('en-US').padStart(14)} params  ${(m.info.quantisation ?? '?').padEnd(7)} ctx ${m.info.contextLength ?? '?'}  ${m.path}`,
        )
        .join('\n') + '\n',
      false,
    );
  return 0;
}
