/** CDK app entry (cdk.json: `npx tsx infra/app.ts`). Options: see README "Deploy to AWS". */
import { App } from 'aws-cdk-lib';
import { buildServiceApp } from './service-app.js';

const app = new App();
buildServiceApp(app);
app.synth();
