import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

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

/**
 * The session's chunks (src/app/controller.ts and the chunks it imports) are fetched with the page: src/main.tsx
 * imports them dynamically, so that their evaluation is a task of its own (issue 17, target 4), and without these
 * links their download would wait for the entry's own. Same-origin module preloads: the CSP holds.
 */
function preloadSession(): Plugin {
  return {
    name: 'preload-session',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (_html, ctx) => {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const session = chunks.find((c) => c.facadeModuleId?.endsWith('/src/app/controller.ts'));
        if (!session) throw new Error('preload-session: no chunk for src/app/controller.ts');
        const byFile = new Map(chunks.map((c) => [c.fileName, c]));
        const files = new Set<string>();
        const add = (f: string) => {
          if (files.has(f)) return;
          files.add(f);
          byFile.get(f)?.imports.forEach(add);
        };
        add(session.fileName);
        // The entry and what it imports statically are fetched by the page's own script tag.
        const entry = chunks.find((c) => c.isEntry);
        for (const f of [entry?.fileName, ...(entry?.imports ?? [])]) if (f) files.delete(f);
        return [...files].map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `./${f}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/**
 * Offline use (issue 14): a Workbox service worker precaches the whole build on the first visit: the page, its
 * JS (the worker bundle too), the three wasm binaries, every shipped checkpoint and the manifest's icons. It is
 * registered from src/app/offline.ts (no inline script: the CSP allows none), from the build only (the dev
 * server registers none). Paths are relative (base './'), so the app and its worker's scope work from any
 * sub-path. Cached responses keep the headers they were fetched with (COOP/COEP, CSP), so an offline page is
 * cross-origin isolated as an online one.
 */
function offline(): Plugin[] {
  return VitePWA({
    injectRegister: false,
    // A new deploy installs in the background and takes over once the app's tabs are closed: an open page
    // is never reloaded or switched to other files under a running training session.
    registerType: 'prompt',
    manifest: {
      name: 'MAML Playground',
      short_name: 'MAML',
      description: 'Watch MAML adapt to a new task in one gradient step, trained live in your browser.',
      theme_color: '#0072b2',
      background_color: '#f4f5f7',
      display: 'standalone',
      // start_url and scope: './' (relative to the manifest, so a sub-path works)
      icons: [
        { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      // Everything the app can load: html, js, css, wasm, the checkpoints (public/checkpoints/**/*.ckpt, binary;
      // the update problem's small *.json) and their folders' index.json (not their EVALUATION.md, which the page
      // never fetches), and the woff2 fonts of the Learn mode's KaTeX (the browsers this app runs in take woff2
      // first). The plugin adds the manifest and its icons.
      globPatterns: ['**/*.{html,js,css,wasm,json,ckpt,woff2}'],
      // The worker bundle is ~2.4 MB and a glyph checkpoint ~0.44 MB (Workbox's default limit is 2 MiB).
      maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      // Every URL of the page (?backend=wasm&p=plane…) is the one index.html.
      navigateFallback: 'index.html',
      // The first visit's page is served from the cache as soon as everything is in it (the plane and glyph
      // checkpoints it has not fetched yet too); an update still waits for the tabs to close (no skipWaiting).
      clientsClaim: true,
      cleanupOutdatedCaches: true,
    },
  });
}

export default defineConfig({
  plugins: [react(), cspMeta(), preloadSession(), offline()],
  base: './',
  server: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy(true) } },
  // frame-ancestors works only as a header: the app may be embedded by pages of its own origin.
  preview: { headers: { ...isolation, 'Content-Security-Policy': `${contentSecurityPolicy()}; frame-ancestors 'self'` } },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
