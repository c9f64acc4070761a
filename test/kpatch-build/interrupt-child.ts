// Run by session.test.ts as a child process, to be interrupted: starts a
// session, prints its directory and log on stdout, and compiles a large object.
import { withBuildSession } from "../../src/build/session.js";
import { testTree } from "./support.js";

const { prepared } = await testTree();
await withBuildSession(prepared, async (session) => {
  process.stdout.write(`${session.dir}\n${session.log}\n`);
  await session.compile(["net/ipv4/tcp.o"], "orig");
});
