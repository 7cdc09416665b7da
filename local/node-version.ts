// Imported first by every local entry point: on an older Node the rest would fail with a cryptic
// error (e.g. ERR_INVALID_ARG_TYPE). npm scripts run the pinned Node 24 (devDependency "node").
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  console.error(
    `Order Chat needs Node ${REQUIRED_MAJOR} (the Lambda runtime's); this is Node ${process.versions.node}. ` +
      'Run it through npm (`npm start`, `npm test`), which uses the Node 24 installed by `npm ci`, or switch with `nvm use`.',
  );
  process.exit(1);
}
