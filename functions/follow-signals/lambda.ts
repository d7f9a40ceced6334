import { productionDependencies } from './dependencies.js';
import { makeHandler } from './handler.js';

/** The Lambda entry point: dependencies from the environment, built once per cold start. */
export const handler = makeHandler(productionDependencies());
