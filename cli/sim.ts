// lab sim info | lab sim state | lab demo
import { UsageError, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { formatMjcfInfo, print, stepLine } from './print.ts';

export async function simCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, target] = positionals;
  if (!target || positionals.length > 2)
    throw new UsageError(`lab sim ${sub ?? '<info|state>'} needs exactly one model or scene`);
  const json = flags.json === true;
  if (sub === 'info') {
    const info = await call('sim.info', { model: target }, { flags: { model: 'the model file' } });
    print(json ? info : formatMjcfInfo(info), json);
    return 0;
  }
  if (sub === 'state') {
    const { state, text: stateText } = await call(
      'sim.state',
      { scene: target },
      { flags: { scene: 'the scene' } },
    );
    print(json ? state : stateText, json);
    return 0;
  }
  throw new UsageError(`unknown sim command '${sub ?? ''}': use info or state`);
}

export async function demoCommand({ flags }: ParsedArgs): Promise<number> {
  const json = flags.json === true;
  const arm = text(flags, 'arm') ?? 'panda';
  if (!json)
    process.stdout.write(`BLAZER Lab demo: the ${arm} arm picks red_cube and puts it down elsewhere\n\n`);
  const demo = await call(
    'sim.demo',
    { arm: arm as 'panda' },
    {
      onEvent: (event) => {
        if (!json && event.type === 'episode.step') process.stdout.write(`${stepLine(event.result)}\n`);
      },
    },
  );
  if (json) print(demo, true);
  else {
    process.stdout.write(
      `\n${demo.placed ? 'placed' : 'NOT placed'}: ${demo.arm} moved red_cube to ${JSON.stringify(demo.destination)} in ${demo.primitives} primitives, ${demo.simSeconds} s simulated in ${demo.wallSeconds} s\n`,
    );
  }
  return demo.placed ? 0 : 1;
}
