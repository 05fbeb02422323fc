// Vite build of the browser UI: web/ → web/dist, served by `arginator serve` at `/`.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so the UI also works when the server mounts it under a prefix.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Everything is bundled: the UI must work without any external network.
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite web` during development: the API runs on `arginator serve --port 8000`.
    proxy: {
      '/v1': 'http://127.0.0.1:8000',
      '/healthz': 'http://127.0.0.1:8000',
      '/readyz': 'http://127.0.0.1:8000',
    },
  },
});
