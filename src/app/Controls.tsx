/** Test-time settings shared by the task and loss panels: inner learning rate, steps shown, methods shown. */
import { ALGORITHM_IDS, ALGORITHM_INFO } from '../meta/contracts/algorithms';
import { NumberField } from '../panels/NumberField';
import { methodLabelWithOrder } from '../panels/theme';
import { appliesTo, usePlayground } from '../state/store';
import { SCHEMA } from '../state/schema';
import { useSession } from '../session/context';
import { MethodName } from '../panels/MethodName';
import { AlphaRisk } from '../panels/Reliability';
import { PROBLEM_INFO } from '../meta/contracts/problems';

export function Controls() {
  const { copyLink } = useSession();
  const alpha = usePlayground((s) => s.settings.alpha);
  const steps = usePlayground((s) => s.settings.steps);
  const methods = usePlayground((s) => s.settings.methods);
  const problem = usePlayground((s) => s.settings.problem);
  const setSettings = usePlayground((s) => s.setSettings);
  const toggleMethod = usePlayground((s) => s.toggleMethod);
  // The methods' checkboxes and blow-up notes, where the problem's panels draw the methods it compares.
  const showMethods = PROBLEM_INFO[problem].view.methods;

  return (
    <section className="controls" data-testid="controls" aria-label="Test-time settings">
      <NumberField
        label="Test-time α (inner learning rate)"
        title="Step size of the gradient steps taken on your points at test time"
        testId="alpha-input"
        value={alpha}
        setting={SCHEMA.alpha}
        onCommit={(v) => setSettings({ alpha: v })}
      />
      <NumberField
        label={`Steps shown (${SCHEMA.steps.min}–${SCHEMA.steps.max})`}
        title="How many test-time gradient steps to compute and plot"
        testId="steps-input"
        value={steps}
        setting={SCHEMA.steps}
        onCommit={(v) => setSettings({ steps: v })}
      />
      {showMethods && (
      <fieldset className="methods-shown">
        <legend>Methods shown</legend>
        {ALGORITHM_IDS.filter((id) => appliesTo(id, problem)).map((id) => (
          <label key={id} className="inline method-toggle" title={`${methodLabelWithOrder(id)}: ${ALGORITHM_INFO[id].description}`}>
            <input type="checkbox" data-testid={`show-${id}`} checked={methods.includes(id)} onChange={() => toggleMethod(id)} />
            <MethodName id={id} />
          </label>
        ))}
      </fieldset>
      )}
      <button type="button" data-testid="share-link" title="The URL holds the task, your points and every setting" onClick={() => void copyLink()}>
        Copy link to this view
      </button>
      {showMethods && <AlphaRisk />}
    </section>
  );
}

export default Controls;
