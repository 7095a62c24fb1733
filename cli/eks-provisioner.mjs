#!/usr/bin/env node
// The package's `bin`: runs the TypeScript command line through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
