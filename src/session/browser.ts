/** What a session uses of the browser page by default: its address, the clipboard, downloads. */
import type { PageAddress } from './link';
import type { FileOut } from './checkpoints';

export const pageAddress: PageAddress = {
  base: () => `${window.location.origin}${window.location.pathname}`,
  search: () => window.location.search,
  replace: (query) => window.history.replaceState(null, '', query),
  push: (query) => window.history.pushState(null, '', query),
  onPop: (listener) => {
    window.addEventListener('popstate', listener);
    return () => window.removeEventListener('popstate', listener);
  },
};

export const copyToClipboard = (text: string): Promise<void> => navigator.clipboard.writeText(text);

/** Saves a file through the browser's download. */
export function saveDownload(file: FileOut): void {
  const blob = new Blob([file.text], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
