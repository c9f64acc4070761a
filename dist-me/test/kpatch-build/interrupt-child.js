// Run by session.test.ts as a child process, to be interrupted: starts a
// session, prints its directory and log on stdout, and compiles a large
// object; with "recipes", a small object and then the large one, one job at
// a time by kbuild's recipes.
import { withBuildSession } from "../../src/build/session.js";
import { kbuildPlan } from "../../src/build/plan.js";
import { testTree } from "./support.js";
const { prepared } = await testTree();
const objects = process.argv[2] === "recipes" ? ["lib/bsearch.o", "net/ipv4/tcp.o"] : ["net/ipv4/tcp.o"];
const plan = process.argv[2] === "recipes" ? await kbuildPlan(prepared, ["lib/", "net/ipv4/"]) : undefined;
const recipes = plan && new Map(objects.map((o) => [o, plan.get(o).recipe]));
await withBuildSession(prepared, async (session) => {
    process.stdout.write(`${session.dir}\n${session.log}\n`);
    await session.compile(objects, "orig", recipes);
}, { jobs: 1 });
//# sourceMappingURL=interrupt-child.js.map