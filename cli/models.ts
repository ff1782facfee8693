// lab models [add|add-endpoint|remove] | lab dev tiny-model|model-info | lab serve-model
import { UsageError, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { formatGgufInfo, print } from './print.ts';

export async function modelsCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, target, ...extra] = positionals;
  const json = flags.json === true;
  if (extra.length > (sub === 'add-endpoint' ? 1 : 0))
    throw new UsageError('too many arguments for lab models');
  if (sub === 'add') {
    if (!target) throw new UsageError('lab models add needs a GGUF file');
    const name = text(flags, 'name');
    const entry = await call('models.add', { path: target, ...(name ? { name } : {}) });
    print(
      json
        ? entry
        : `registered ${entry.name}: ${entry.info.architecture} ${entry.info.type}, ${entry.info.parameters.toLocaleString('en-US')} parameters, ${entry.info.quantisation ?? '?'}\n`,
      json,
    );
    return 0;
  }
  if (sub === 'add-endpoint') {
    const spec = extra[0] ?? '';
    if (!target || !spec) throw new UsageError('lab models add-endpoint needs a name and openai:MODEL@URL');
    const entry = await call('models.addEndpoint', { name: target, spec });
    print(json ? entry : `registered endpoint ${entry.name}: ${entry.spec}\n`, json);
    return 0;
  }
  if (sub === 'remove') {
    if (!target) throw new UsageError('lab models remove needs a model name');
    const removed = await call('models.remove', { name: target });
    print(json ? removed : `removed ${target}\n`, json);
    return 0;
  }
  if (sub !== undefined)
    throw new UsageError(
      `unknown models command '${sub}': use add, add-endpoint or remove, or nothing to list`,
    );
  const { registry, models, endpoints } = await call('models.list', {});
  if (json) print(models, true);
  else if (models.length === 0 && endpoints.length === 0)
    print(`no models registered (${registry}); add one with lab models add <file.gguf>\n`, false);
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

export const DEV_USAGE = `  lab dev tiny-model <out.gguf> [--lora <out-lora.gguf>] [--seed N] [--f16] [--json]
                                         write the tiny random-weight llama (and a LoRA adapter
                                         for it) used by the offline tests, then show their metadata
  lab dev model-info <file.gguf> [--json]
                                         architecture, parameters, context, template, quantisation
`;

export async function devCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const json = flags.json === true;
  if (sub === 'tiny-model') {
    if (rest.length !== 1)
      throw new UsageError('lab dev tiny-model needs exactly one output file (<out.gguf>)');
    const lora = text(flags, 'lora');
    const infos = await call(
      'models.writeTiny',
      {
        out: rest[0],
        ...(lora !== undefined ? { lora } : {}),
        ...(flags.seed !== undefined ? { seed: numeric(flags.seed) as number } : {}),
        f16: flags.f16 === true,
      },
      { flags: { out: 'the output' } },
    );
    if (json) print(infos, true);
    else print(infos.map((info) => `wrote ${info.path}\n${formatGgufInfo(info)}`).join(''), false);
    return 0;
  }
  if (sub === 'model-info') {
    if (rest.length !== 1) throw new UsageError('lab dev model-info needs exactly one .gguf file');
    const info = await call('models.inspect', { path: rest[0] });
    print(json ? info : formatGgufInfo(info), json);
    return 0;
  }
  throw new UsageError(`unknown dev command '${sub ?? ''}': use tiny-model or model-info`);
}

/** Share one local model on 127.0.0.1 as an OpenAI-compatible endpoint until Ctrl-C. */
export async function serveModelCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('lab serve-model needs one GGUF model file');
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal); // on, not once: see withStopSignal
  process.on('SIGTERM', onSignal);
  try {
    const adapter = text(flags, 'adapter');
    const name = text(flags, 'name');
    const host = text(flags, 'host');
    const token = text(flags, 'token') ?? process.env.BLAZER_SERVE_TOKEN;
    await call(
      'models.serve',
      {
        model: file,
        ...(adapter ? { adapter } : {}),
        ...(name ? { name } : {}),
        ...(host ? { host } : {}),
        ...(token ? { token } : {}),
        ...(flags.port !== undefined ? { port: numeric(flags.port) as number } : {}),
        ...(flags.threads !== undefined ? { threads: numeric(flags.threads) as number } : {}),
      },
      {
        signal: stop.signal,
        onEvent: (event) => {
          if (event.type === 'model.serving')
            process.stdout.write(
              `serving ${event.name} at ${event.url}\ntoken: ${event.token}\nuse it as: --model openai:${event.name}@${event.url} (key: the token)\n`,
            );
        },
      },
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
