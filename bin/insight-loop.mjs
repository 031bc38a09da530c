#!/usr/bin/env node
// The `insight-loop` package bin: runs scripts/cli.ts with the project's tsx (a devDependency), so
// `npx insight-loop import …` works inside the project exactly like `npm run --silent cli -- import …`.
import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../scripts/cli.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
