import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The api serves console/dist at `/` in production. Assets are referenced relatively and
// routing is hash-based (#/projects/x), so the build works under any path without a
// server-side fallback. In development `vite` proxies the api.
const api = process.env.KIPPER_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/api': { target: api, changeOrigin: true },
    },
  },
});
