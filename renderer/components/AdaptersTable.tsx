// The lab's LoRA adapters (adapters.list) for the Models screen: what each fits (its base and the
// start of that file's sha256), where it came from, and Remove for the lab's operator.
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import { useWhenShown } from '../navigation.tsx';
import { EmptyState, ErrorBox } from './common.tsx';

const fileName = (path: string): string => path.split(/[/\\]/).at(-1) ?? path;

export function AdaptersTable() {
  const { info } = useLab();
  const list = useCall('adapters.list');
  const remove = useCall('adapters.remove');
  const refresh = (): void => void list.run({});
  useWhenShown('models', refresh);
  const adapters = list.result ?? [];

  return (
    <>
      <div className="section-head">
        <h2>LoRA adapters</h2>
        <button type="button" onClick={refresh} disabled={list.running}>
          Refresh
        </button>
      </div>
      <ErrorBox error={list.error ?? remove.error} />
      {adapters.length === 0 ? (
        <EmptyState title="No adapters yet">
          Train one on the Train screen, or import a GGUF LoRA or a PEFT folder with{' '}
          <code>lab adapters import</code>.
        </EmptyState>
      ) : (
        <table className="models-table" data-testid="adapters-table">
          <thead>
            <tr>
              <th>name</th>
              <th>rank</th>
              <th>base</th>
              <th>base sha256</th>
              <th>source</th>
              <th>training set / job</th>
              {info.local && <th />}
            </tr>
          </thead>
          <tbody>
            {adapters.map((a) => (
              <tr key={a.name}>
                <td className="path" title={a.path}>
                  {a.name}
                </td>
                <td>{a.rank}</td>
                <td className="path" title={a.base.path}>
                  {a.base.name ?? fileName(a.base.path)} ({a.base.architecture})
                </td>
                <td>
                  <code title={a.base.sha256}>{a.base.sha256.slice(0, 12)}</code>
                </td>
                <td>{a.source}</td>
                <td>
                  {a.trainingSet ?? '–'}
                  {a.trainJob !== undefined ? ` / job ${a.trainJob}` : ''}
                </td>
                {info.local && (
                  <td>
                    <button type="button" onClick={() => void remove.run({ name: a.name }).then(refresh)}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!info.local && adapters.length > 0 && (
        <p className="muted" data-testid="adapters-operator-only">
          Adapters are removed by the lab's operator on the lab machine (<code>lab adapters remove</code>).
        </p>
      )}
    </>
  );
}
