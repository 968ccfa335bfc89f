/**
 * The header's way into the Learn mode (issue 15): opens the first scene, or leaves the lesson. Its own module, so
 * the page loads the lesson panel (and KaTeX) only once a scene is shown.
 */
import { usePlayground } from '../../state/store';
import { openScene } from './scenes';

export function LearnButton() {
  const n = usePlayground((s) => s.settings.learn);
  return (
    <button
      type="button"
      data-testid="learn-toggle"
      aria-pressed={n > 0}
      title="A guided lesson through meta-learning, scene by scene on the live engine (arrow keys move between scenes; link ?learn=1)"
      onClick={() => openScene(usePlayground.getState(), n > 0 ? 0 : 1)}
    >
      {n > 0 ? 'Leave lesson' : 'Learn'}
    </button>
  );
}
