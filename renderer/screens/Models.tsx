// Models: the lab's local GGUF models and LoRA adapters (metadata, size), remote OpenAI-compatible
// endpoints by spec, and a test prompt that reports tokens per second.
import { useState } from 'react';
import { useCall } from '../use-call.ts';
import { useLab } from '../lab-context.tsx';
import { CodeBlock, EmptyState, ErrorBox, Field, TextField } from '../components/common.tsx';
import { AdaptersTable } from '../components/AdaptersTable.tsx';
import { useWhenShown } from '../navigation.tsx';

function size(bytes: number): string {
  return bytes >= 1e9
    ? `${(bytes / 1e9).toFixed(2)} GB`
    : bytes >= 1e6
      ? `${(bytes / 1e6).toFixed(1)} MB`
      : `${(bytes / 1e3).toFixed(0)} kB`;
}

function count(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString();
}

export function Models() {
  const { info } = useLab();
  const list = useCall('models.list');
  const addEndpoint = useCall('models.addEndpoint');
  const [endpointName, setEndpointName] = useState('');
  const [endpointSpec, setEndpointSpec] = useState('');
  const add = useCall('models.add');
  const addTiny = useCall('models.addTiny');
  const remove = useCall('models.remove');
  const test = useCall('models.test');
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [spec, setSpec] = useState('');
  const [prompt, setPrompt] = useState('Say hello to the lab in one sentence.');
  const [streamed, setStreamed] = useState('');

  const refresh = (): void => void list.run({});
  useWhenShown('models', refresh);
  const models = list.result?.models ?? [];

  /** A registry row's buttons: put its name in the test prompt, or remove it. */
  const actions = (entry: string, testable: boolean) => (
    <td>
      <button type="button" onClick={() => setSpec(entry)} disabled={!testable}>
        Test
      </button>
      <button type="button" onClick={() => void remove.run({ name: entry }).then(refresh)}>
        Remove
      </button>
    </td>
  );

  const runTest = async (): Promise<void> => {
    setStreamed('');
    await test.run({ model: spec, prompt, maxTokens: 64 }, (event) => {
      if (event.type === 'model.text') setStreamed((s) => s + event.text);
    });
  };

  return (
    <div className="screen models">
      <main className="stage padded">
        <h2>Local models and adapters</h2>
        <ErrorBox error={list.error ?? add.error ?? addTiny.error ?? remove.error} />
        {models.length === 0 ? (
          <EmptyState title="No local models yet">
            Add a GGUF file below (a model, or a LoRA adapter). No model at hand? Add the tiny test model: it
            runs every local path offline, but its answers are random text.
          </EmptyState>
        ) : (
          <table className="models-table" data-testid="models-table">
            <thead>
              <tr>
                <th>name</th>
                <th>kind</th>
                <th>architecture</th>
                <th>parameters</th>
                <th>quantisation</th>
                <th>context</th>
                <th>size</th>
                <th>file</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.name}>
                  <td>{m.name}</td>
                  <td>{m.info.type}</td>
                  <td>{m.info.architecture}</td>
                  <td>{count(m.info.parameters)}</td>
                  <td>{m.info.quantisation ?? '?'}</td>
                  <td>{m.info.contextLength?.toLocaleString() ?? '?'}</td>
                  <td>{size(m.info.fileBytes)}</td>
                  <td className="path" title={m.path}>
                    {m.path}
                  </td>
                  {actions(m.name, m.info.type === 'model')}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form
          className="row add-model"
          onSubmit={(e) => {
            e.preventDefault();
            void add.run({ path, ...(name.trim() ? { name: name.trim() } : {}) }).then((added) => {
              if (added) {
                setPath('');
                setName('');
                refresh();
              }
            });
          }}
        >
          <TextField
            label="GGUF file on this machine"
            value={path}
            onChange={setPath}
            placeholder="/models/qwen2.5-1.5b-instruct-q4_k_m.gguf"
            testId="model-path"
          />
          <TextField label="Name (optional)" value={name} onChange={setName} />
          <button type="submit" disabled={!path.trim() || add.running}>
            {add.running ? 'Reading…' : 'Add'}
          </button>
          <button
            type="button"
            onClick={() => void addTiny.run({}).then(refresh)}
            disabled={addTiny.running}
            data-testid="add-tiny"
          >
            Add the tiny test model
          </button>
        </form>
        <p className="muted">Registry: {list.result?.registry}</p>

        <AdaptersTable />

        <h2>Remote endpoints</h2>
        <p className="muted">
          Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio, another lab's{' '}
          <code>lab serve-model</code>) as <code>openai:MODEL@http://host:port/v1</code>. The key comes from
          BLAZER_API_KEY or OPENAI_API_KEY on the lab machine and is never stored.
        </p>
        <ErrorBox error={addEndpoint.error} />
        {(list.result?.endpoints ?? []).length > 0 && (
          <table className="models-table" data-testid="endpoints-table">
            <thead>
              <tr>
                <th>name</th>
                <th>endpoint</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list.result?.endpoints ?? []).map((e) => (
                <tr key={e.name}>
                  <td>{e.name}</td>
                  <td className="path">{e.spec}</td>
                  {actions(e.name, true)}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {info.local ? (
          <form
            className="row add-model"
            onSubmit={(e) => {
              e.preventDefault();
              void addEndpoint.run({ name: endpointName.trim(), spec: endpointSpec.trim() }).then((added) => {
                if (added) {
                  setEndpointName('');
                  setEndpointSpec('');
                  refresh();
                }
              });
            }}
          >
            <TextField
              label="Name"
              value={endpointName}
              onChange={setEndpointName}
              placeholder="gpu-box"
              testId="endpoint-name"
            />
            <TextField
              label="Endpoint"
              value={endpointSpec}
              onChange={setEndpointSpec}
              placeholder="openai:llama-3.1-70b@http://gpu-box:8000/v1"
              testId="endpoint-spec"
            />
            <button
              type="submit"
              disabled={!endpointName.trim() || !endpointSpec.trim() || addEndpoint.running}
            >
              Add endpoint
            </button>
          </form>
        ) : (
          <p className="muted" data-testid="endpoints-operator-only">
            Endpoints are added by the lab's operator on the lab machine (<code>lab models add-endpoint</code>
            ): the lab's key goes only to endpoints its operator chose.
          </p>
        )}

        <h2>Test a model</h2>
        <p className="muted">
          A registered name, a GGUF path, or a remote OpenAI-compatible endpoint as{' '}
          <code>openai:MODEL@http://host:port/v1</code> (the key comes from BLAZER_API_KEY or OPENAI_API_KEY
          on the lab machine, never stored).
        </p>
        <div className="row">
          <TextField
            label="Model"
            value={spec}
            onChange={setSpec}
            placeholder="tiny-test or openai:gpt-4o-mini@https://api.openai.com/v1"
            testId="test-model"
          />
        </div>
        <Field label="Prompt">
          <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} />
        </Field>
        <div className="row">
          <button
            type="button"
            className="primary"
            disabled={!spec.trim() || !prompt.trim() || test.running}
            onClick={() => void runTest()}
            data-testid="run-test"
          >
            {test.running ? 'Generating…' : 'Run test prompt'}
          </button>
          {test.running && (
            <button type="button" onClick={() => test.stop()}>
              Stop
            </button>
          )}
        </div>
        <ErrorBox error={test.error} />
        {(streamed || test.result) && <CodeBlock text={test.result?.text ?? streamed} testId="test-output" />}
        {test.result && (
          <p data-testid="test-speed">
            <strong>{test.result.tokensPerSecond.toFixed(1)} tokens/s</strong> · {test.result.tokens} tokens
            in {test.result.seconds.toFixed(2)} s · {test.result.model.id}
          </p>
        )}
      </main>
    </div>
  );
}
