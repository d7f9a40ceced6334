// npm scripts run on the Node from the `node` devDependency (node_modules/.bin/node).
// If that package's install script did not run (e.g. `npm ci --ignore-scripts`), npm silently
// falls back to the machine's Node, which may be older than the Lambda runtime we target.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `Schakel needs Node.js 24 (the nodejs24.x Lambda runtime); this script runs on ${process.version}.\n` +
      'Run `npm ci` without --ignore-scripts so the pinned `node` devDependency installs, ' +
      'and start tools through npm scripts or npx.',
  );
  process.exit(1);
}
