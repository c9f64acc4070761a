#!/usr/bin/env node
// Developer entry point: prepares the test environment (kernels, images) that
// the tests and the demo use.
import { testKernel } from "../kernel/testkernel.js";

async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case "prepare": {
      const k = await testKernel();
      console.log(`test kernel ${k.release}: ${k.buildDir}`);
      return 0;
    }
    default:
      console.error("usage: kpatch-dev prepare");
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`kpatch-dev: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
