import { defaultClientConditions, defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The api serves console/dist at `/` in production. Assets are referenced relatively and
// routing is hash-based (#/projects/x), so the build works under any path without a
// server-side fallback. In development `vite` proxies the api. Workspace packages
// (@kipper/client) are bundled from their TypeScript sources (the `source` export condition),
// so the console never depends on a stale dist/.
const api = process.env.KIPPER_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  plugins: [svelte()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The client's documents are built by calls to graphql(): pure, so the CLI's are left out.
    rollupOptions: { treeshake: { manualPureFunctions: ['graphql'] } },
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/api': { target: api, changeOrigin: true },
    },
  },
});
