import { writeFileSync } from 'node:fs';
import { renderEnvExample } from './envExample.js';

writeFileSync('.env.example', renderEnvExample());
console.log('Wrote .env.example');
