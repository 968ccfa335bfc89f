/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Offline use (issue 14): registers the service worker vite-plugin-pwa builds (vite.config.ts), which precaches
 * the page, its JS and worker, the wasm binaries and every shipped checkpoint on the first visit; after that the
 * app loads and computes with no network. Registration waits for the page's load event, so it never competes
 * with the first curves. The dev server's `virtual:pwa-register` registers nothing; Node (unit tests) has no
 * `navigator.serviceWorker`, and this module is imported by src/main.tsx only.
 */
import { registerSW } from 'virtual:pwa-register';

export function registerOffline(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  registerSW({
    // Not a console error: a page that cannot register (a private window, an http:// address that is not
    // localhost) works as before, online only.
    onRegisterError: (e: unknown) => console.warn('Offline use is not available here:', e),
  });
}
