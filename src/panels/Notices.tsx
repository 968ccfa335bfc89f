import { usePlayground } from '../state/store';

/** The store's notices as dismissible banners (errors, warnings, information). */
export function Notices() {
  const notices = usePlayground((s) => s.notices);
  const dismiss = usePlayground((s) => s.dismiss);
  return (
    <div className="notices" data-testid="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-notice-id={n.id}>
          <span className="notice-text">{n.text}</span>
          <button type="button" className="notice-dismiss" aria-label="Dismiss" title="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export default Notices;
