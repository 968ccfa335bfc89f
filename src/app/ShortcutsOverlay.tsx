/**
 * The `?` overlay: every keyboard shortcut, from the same table the key handler runs (shortcuts.ts). A modal
 * <dialog> (showModal: the page behind is inert, so focus stays inside), named by its heading; Escape or the
 * Close button closes it and focus goes back where it was.
 */
import { useEffect, useRef } from 'react';
import { SHORTCUTS } from './shortcuts';

export function ShortcutsOverlay({ open, onClose }: { open: boolean; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      const before = document.activeElement as HTMLElement | null;
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
      d.querySelector<HTMLButtonElement>('button')?.focus();
      return () => before?.focus?.();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="shortcuts-overlay"
      data-testid="shortcuts-overlay"
      aria-labelledby="shortcuts-title"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // Focus stays on the dialog's one control: Tab has nowhere else to go.
        if (e.key === 'Tab') {
          e.preventDefault();
          ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
        }
        if (e.key === 'Escape' || e.key === '?') {
          e.preventDefault();
          onClose();
        }
        e.stopPropagation();
      }}
    >
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p className="muted">Anywhere on the page except while typing in a field.</p>
      <table className="shortcuts-table">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.id} data-shortcut={s.id}>
              <th scope="row">
                <kbd>{s.display}</kbd>
              </th>
              <td>{s.label}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">
              <kbd>Esc</kbd>
            </th>
            <td>Close this list</td>
          </tr>
        </tbody>
      </table>
      <button type="button" data-testid="shortcuts-close" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
