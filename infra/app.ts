import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_CONFIG_PATH, loadDeploymentConfig } from './deployment-config.js';
import { createSchakelApp } from './schakel-app.js';

// `cdk synth -c config=config/<region>.json` picks the deployment; everything else follows from it.
const app = new App();
const configPath: unknown = app.node.tryGetContext('config');
createSchakelApp({
  app,
  config: loadDeploymentConfig(typeof configPath === 'string' ? configPath : DEFAULT_CONFIG_PATH),
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'eu-west-1',
  },
});
// A finding that is neither fixed nor acknowledged (with a reason) fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
