// Run by session.test.ts as a child process, to be interrupted: starts a
// session, prints its directory and log on stdout, and compiles a large
// object; with "recipes", a small object and then the large one, one job at
// a time by kbuild's recipes; with "late", the large one 12 s after the small.
import { withBuildSession } from "../../src/build/session.js";
import { kbuildPlan } from "../../src/build/plan.js";
import { testTree } from "./support.js";

const { prepared } = await testTree();
const mode = process.argv[2];
const objects = mode ? ["lib/bsearch.o", "net/ipv4/tcp.o"] : ["net/ipv4/tcp.o"];
const plan = mode ? await kbuildPlan(prepared, ["lib/", "net/ipv4/"]) : undefined;
const recipes =
  plan &&
  new Map(
    objects.map((o, i) => {
      const recipe = plan.get(o)!.recipe!;
      return [o, mode === "late" && i === 1 ? `sleep 12\n${recipe}` : recipe] as const;
    }),
  );
await withBuildSession(
  prepared,
  async (session) => {
    process.stdout.write(`${session.dir}\n${session.log}\n`);
    await session.compile(objects, "orig", recipes);
  },
  { jobs: 1 },
);
