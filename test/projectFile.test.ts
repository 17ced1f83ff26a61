import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "./helpers/platform";

describe("Pulumi.yaml", () => {
    // With a directory as `main`, Pulumi's Node host runs package.json's entry point instead,
    // which is the compiled library (dist/index.js) once `npm run build` or `npm pack` has run:
    // `pulumi up` then deploys nothing (found by running the main job after the test command).
    it("names the stack program's file as main, not a directory the package's entry point would stand in for", () => {
        const project = parse(readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8"));
        const main = path.join(projectRoot, project.main);
        expect(existsSync(main) && statSync(main).isFile()).toBe(true);
        expect(project.main).toBe("stacks/index.ts");
        const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8"));
        expect(path.normalize(pkg.main)).not.toBe(path.normalize(project.main));
    });
});
