/**
 * Build of the web console. `root` is this folder, output in console/dist; the local API server
 * serves that folder on its own origin, CloudFront serves it from S3 in AWS.
 */

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Cloudscape's chunk is large by nature; the benchmark watches the gzip size instead.
    chunkSizeWarningLimit: 2000,
  },
});
