#!/usr/bin/env node
// The `model-services` command: runs the TypeScript CLI through tsx's require hook, no build step.
require("tsx/cjs");
require("./main.ts").runCli(process.argv.slice(2));
