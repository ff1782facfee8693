// lab models [--json] | lab models add <file.gguf> [--name N] | lab models add-endpoint <name> <openai:MODEL@URL>
// | lab models remove <name>
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { ModelRegistry } from '../core/llm/model-registry.ts';
import { print } from './print.ts';

export async function modelsCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const registry = new ModelRegistry();
  const [sub, target, ...extra] = positionals;
  if (extra.length > (sub === 'add-endpoint' ? 1 : 0))
    throw new UsageError('too many arguments for lab models');
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
  if (sub === 'add-endpoint') {
    const spec = extra[0] ?? '';
    if (!target || !spec) throw new UsageError('lab models add-endpoint needs a name and openai:MODEL@URL');
    const entry = registry.addEndpoint(target, spec);
    print(flags.json ? entry : `registered endpoint ${entry.name}: ${entry.spec}\n`, flags.json === true);
    return 0;
  }
  if (sub === 'remove') {
    if (!target) throw new UsageError('lab models remove needs a model name');
    registry.remove(target);
    print(flags.json ? { removed: target } : `removed ${target}\n`, flags.json === true);
    return 0;
  }
  if (sub !== undefined)
    throw new UsageError(
      `unknown models command '${sub}': use add, add-endpoint or remove, or nothing to list`,
    );
  const models = registry.list();
  const endpoints = registry.endpoints();
  if (flags.json) print(models, true);
  else if (models.length === 0 && endpoints.length === 0)
    print(`no models registered (${registry.file}); add one with lab models add <file.gguf>\n`, false);
  else
    print(
      [
        ...models.map(
          (m) =>
            `${m.name.padEnd(24)} ${m.info.type.padEnd(8)} ${m.info.architecture.padEnd(10)} ${m.info.parameters.toLocaleString('en-US').padStart(14)} params  ${(m.info.quantisation ?? '?').padEnd(7)} ctx ${m.info.contextLength ?? '?'}  ${m.path}`,
        ),
        ...endpoints.map((e) => `${e.name.padEnd(24)} endpoint ${e.spec}`),
      ].join('\n') + '\n',
      false,
    );
  return 0;
}
