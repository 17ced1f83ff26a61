import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layers stay visible and one-directional: catalog and conventions at the bottom, then
 * config, plan, resources. An import circle anywhere in the project, an upward import, or a
 * file under components/ too long to read in one sitting fails here.
 */

const root = path.resolve(__dirname, "..");
const sourceDirs = ["components", "policies", "scripts", "stacks", "bench", "test", "cli"];
const maxLines = 350;

function tsFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) return name === "node_modules" || name === "__snapshots__" ? [] : tsFiles(full);
        return name.endsWith(".ts") ? [full] : [];
    });
}

/** Relative imports of a file, resolved to project files. */
function importsOf(file: string): string[] {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    return info.importedFiles
        .map((i) => i.fileName)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => {
            const base = path.resolve(path.dirname(file), spec);
            for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
                try {
                    if (statSync(candidate).isFile()) return candidate;
                } catch {
                    // not this one
                }
            }
            return undefined;
        })
        .filter((f): f is string => f !== undefined);
}

function graph(files: string[]): Map<string, string[]> {
    return new Map(files.map((f) => [f, importsOf(f)]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(edges: Map<string, string[]>): string[][] {
    let index = 0;
    const indexOf = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (v: string) => {
        indexOf.set(v, index);
        low.set(v, index);
        index += 1;
        stack.push(v);
        onStack.add(v);
        for (const w of edges.get(v) ?? []) {
            if (!indexOf.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
            }
        }
        if (low.get(v) === indexOf.get(v)) {
            const component: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                component.push(w);
            } while (w !== v);
            if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.map((f) => path.relative(root, f)).sort());
        }
    };
    for (const v of edges.keys()) if (!indexOf.has(v)) visit(v);
    return found;
}

const files = sourceDirs.flatMap((d) => tsFiles(path.join(root, d)));
const edges = graph(files);
const rel = (f: string) => path.relative(path.join(root, "components"), f);

/** What each layer of components/ may import. */
const allowed: Record<string, RegExp> = {
    catalog: /^catalog\//,
    conventions: /^$/,
    versions: /^$/,
    config: /^(catalog|config)\/|^conventions\.ts$/,
    plan: /^(catalog|config|plan)\/|^(conventions|versions)\.ts$/,
    resources: /^(catalog|config|plan|resources)\/|^(conventions|versions)\.ts$/,
};

function layerOf(file: string): string | undefined {
    const r = rel(file);
    if (r.startsWith("..") || r === "index.ts") return undefined;
    return r.includes("/") ? r.split("/")[0] : r.replace(/\.ts$/, "");
}

describe("architecture", () => {
    it("finds the imports it checks (the checker itself works)", () => {
        const platformPlan = path.join(root, "components/plan/platformPlan.ts");
        expect(edges.get(platformPlan)?.map(rel)).toContain("config/parse.ts");
        expect(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c"].map((f) => path.relative(root, f)).sort()]);
    });

    it("has no import circle anywhere in the project", () => {
        expect(cycles(edges)).toEqual([]);
    });

    it("imports downward only: catalog and conventions ← config ← plan ← resources", () => {
        const upward: string[] = [];
        for (const [file, imports] of edges) {
            const layer = layerOf(file);
            if (!layer || file.endsWith(".test.ts")) continue;
            for (const target of imports) {
                if (!allowed[layer]?.test(rel(target))) upward.push(`${rel(file)} → ${rel(target)}`);
            }
        }
        expect(upward).toEqual([]);
    });

    it("keeps the CLI on top: cli/ imports conventions, versions, config and plan, never the Pulumi components", () => {
        const wrong = [...edges]
            .filter(([file]) => path.relative(root, file).startsWith("cli/"))
            .flatMap(([file, imports]) => imports.map((t) => [path.relative(root, file), rel(t)]))
            .filter(([, target]) => !target.startsWith("../cli/") && !/^(config|plan)\/|^(conventions|versions)\.ts$/.test(target))
            .map(([file, target]) => `${file} → ${target}`);
        expect(edges.size).toBeGreaterThan(0);
        expect(wrong).toEqual([]);
    });

    it(`keeps every file under components/ within ${maxLines} lines`, () => {
        const long = files
            .filter((f) => !rel(f).startsWith(".."))
            .map((f) => ({ file: rel(f), lines: readFileSync(f, "utf8").split("\n").length }))
            .filter((f) => f.lines > maxLines);
        expect(long).toEqual([]);
    });
});
