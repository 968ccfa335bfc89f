import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the wasm backend use SharedArrayBuffer threads.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy: the app's own origin only. 'wasm-unsafe-eval' compiles TF.js's wasm backend; blob:
 * workers are the threaded wasm backend's; inline styles are d3's and React's style attributes (no inline
 * script anywhere in the build). The dev server's hot reload adds an inline preamble and a websocket.
 */
export function contentSecurityPolicy(dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${dev ? " 'unsafe-inline'" : ''}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** The same policy as a meta tag in the built index.html, for static hosts that send no headers. */
function cspMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [react(), cspMeta()],
  base: './',
  server: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy(true) } },
  // frame-ancestors works only as a header: the app may be embedded by pages of its own origin.
  preview: { headers: { ...isolation, 'Content-Security-Policy': `${contentSecurityPolicy()}; frame-ancestors 'self'` } },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
