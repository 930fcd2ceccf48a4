// Serves one PGlite database over the PostgreSQL protocol for the e2e suite.
// It runs as a child process because PGlite loads itself with dynamic
// import(), which jest's module sandbox does not allow.
//
//   node embedded-server.cjs [--load <tar>] [--dump-on-exit <tar>]
//
// Prints `READY <url>` on stdout; on SIGTERM it optionally dumps its data
// directory to a file, then exits.
const { writeFileSync, readFileSync } = require('node:fs');
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');

function option(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main() {
  const load = option('--load');
  const dumpTo = option('--dump-on-exit');
  const db = await PGlite.create({ loadDataDir: load ? new Blob([readFileSync(load)]) : undefined });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 20 });
  await server.start();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    if (dumpTo) {
      const dump = await db.dumpDataDir('none');
      writeFileSync(dumpTo, Buffer.from(await dump.arrayBuffer()));
    }
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // If the test process dies, do not linger.
  process.on('disconnect', stop);
  process.stdout.write(`READY postgres://postgres@${server.getServerConn()}/postgres\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
