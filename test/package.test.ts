import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The npm package other programs install: what `npm pack` ships, and the API report that
// turns an accidental change of an exported signature into a failing test.

const projectRoot = path.resolve(__dirname, "..");
const bin = (tool: string) => path.join(projectRoot, "node_modules", ".bin", tool);
const scratch = mkdtempSync(path.join(tmpdir(), "model-services-package-"));

function manifestVersion(): string {
    return JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")).version;
}

function run(command: string, args: string[], cwd = projectRoot) {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) {
        throw new Error(`${command} could not run: ${result.error.message}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(() => {
    // The same build `npm pack` runs (prepack), into dist/.
    const build = run("npm", ["run", "--silent", "build"]);
    expect(build.status, build.output).toBe(0);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }), 120_000);

describe("npm pack", () => {
    it("ships the compiled library, its sources and docs, nothing else", () => {
        const pack = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]);
        expect(pack.status, pack.output).toBe(0);
        const [manifest] = JSON.parse(pack.output.slice(pack.output.indexOf("["))) as { name: string; version: string; files: { path: string }[] }[];
        const files = manifest.files.map((f) => f.path);
        expect(manifest.name).toBe("model-services");
        expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/catalog/data/models.json", "dist/resources/keda/crds.yaml", "dist/resources/dashboards/model-services.json", "components/index.ts"]));
        // The TypeScript sources ride along for the component package's schema inference (provider/);
        // the `model-services` CLI (the package's bin) runs its sources with tsx.
        const strays = files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|(dist|components)\/.+\.(js|d\.ts|json|ya?ml)|components\/.+\.ts|cli\/.+\.(ts|cjs))$/.test(f));
        expect(strays).toEqual([]);
        expect(files.filter((f) => /(^|\/)(test|toolchain|policies|scripts|stacks|bench|examples|provider|__snapshots__)\/|\.test\./.test(f))).toEqual([]);
    });

    it("installs from the tarball into examples/compose-ts, which type-checks against its .d.ts", () => {
        const dest = path.join(scratch, "pack");
        const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", (mkdirSync(dest, { recursive: true }), dest), "--loglevel=error"]);
        expect(pack.status, pack.output).toBe(0);
        const example = path.join(scratch, "compose-ts");
        cpSync(path.join(projectRoot, "examples", "compose-ts"), example, { recursive: true });
        const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error", path.join(dest, `model-services-${manifestVersion()}.tgz`)], example);
        expect(install.status, install.output).toBe(0);
        const check = run(bin("tsc"), ["--noEmit", "-p", example], example);
        expect(check.status, check.output).toBe(0);
    }, 600_000);

    it("points main, types and exports at the compiled entry point", () => {
        const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8"));
        expect(pkg.private).toBeUndefined();
        expect(pkg.main).toBe("dist/index.js");
        expect(pkg.types).toBe("dist/index.d.ts");
        expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
        const entry = require(path.join(projectRoot, "dist", "index.js"));
        expect(Object.keys(entry)).toEqual(expect.arrayContaining(["ModelService", "ApiGateway", "KeyStore", "GpuNodeGroup", "ModelPlatform", "parseConfig", "loadPlatform", "planPlatform"]));
    });
});

describe("the API report (etc/model-services.api.md)", () => {
    it("matches the exported API", () => {
        const check = run(bin("api-extractor"), ["run"]);
        expect(check.status, `${check.output}\nIf the change is intended: npm run api:update, then commit etc/model-services.api.md.`).toBe(0);
    }, 300_000);

    it("fails when an exported signature changes without the report", () => {
        // A copy of the build with one changed signature, checked against the checked-in report.
        const copy = path.join(scratch, "project");
        cpSync(path.join(projectRoot, "dist"), path.join(copy, "dist"), { recursive: true });
        cpSync(path.join(projectRoot, "etc"), path.join(copy, "etc"), { recursive: true });
        cpSync(path.join(projectRoot, "package.json"), path.join(copy, "package.json"));
        const conventions = path.join(copy, "dist", "conventions.d.ts");
        const before = readFileSync(conventions, "utf8");
        const changed = before.replace("export declare function accessName(owner: string, serviceName: string): string;", "export declare function accessName(owner: string, serviceName: string, suffix: string): string;");
        expect(changed).not.toBe(before);
        writeFileSync(conventions, changed);
        const config = JSON.parse(readFileSync(path.join(projectRoot, "api-extractor.json"), "utf8"));
        delete config.compiler;
        writeFileSync(path.join(copy, "api-extractor.json"), JSON.stringify(config));
        writeFileSync(path.join(copy, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: true, types: [] }, include: ["dist"] }));
        symlinkSync(path.join(projectRoot, "node_modules"), path.join(copy, "node_modules"));

        const check = run(bin("api-extractor"), ["run", "-c", path.join(copy, "api-extractor.json")], copy);
        expect(check.status).not.toBe(0);
        expect(check.output).toContain("You have changed the API signature for this project");
    }, 300_000);
});
