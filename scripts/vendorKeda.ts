/**
 * Renders KEDA's install manifests into the repository from the pinned Go module
 * `github.com/kedacore/keda/v2@v<kedaVersion>` (fetched with `go mod download`, i.e. from the Go
 * module proxy): its `config/` folder is the kustomize source of KEDA's release YAML. The
 * kustomizations used here only list files and patch two CRDs, so this script does the same
 * without kustomize: every resource file of `config/default`'s bases, the CRD patches applied.
 * Images stay as upstream writes them; the `Keda` component swaps in the pinned ones.
 *
 *   npx tsx scripts/vendorKeda.ts     # after changing kedaVersion in components/versions.ts
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { kedaVersion } from "../components/versions";

const modulePath = "github.com/kedacore/keda/v2";
const outDir = path.join(__dirname, "..", "components", "resources", "keda");

type Json = any;

function moduleDir(): string {
    const out = execFileSync("go", ["mod", "download", "-json", `${modulePath}@v${kedaVersion}`], { encoding: "utf8" });
    return JSON.parse(out).Dir as string;
}

function kustomization(dir: string): Json {
    return parse(readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
}

/** The objects of a kustomize base: its resource files, recursing into folders. */
function resources(dir: string): Json[] {
    const k = kustomization(dir);
    return (k.resources ?? []).flatMap((entry: string) => {
        const full = path.join(dir, entry);
        return entry.endsWith(".yaml") || entry.endsWith(".yml")
            ? parseAllDocuments(readFileSync(full, "utf8")).map((d) => d.toJS()).filter((o) => o)
            : resources(full);
    });
}

/** RFC 6902 add/remove, the only operations KEDA's CRD patches use. */
function applyPatch(target: Json, ops: Json[]): void {
    for (const op of ops) {
        const keys = (op.path as string).split("/").slice(1).map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
        const last = keys.pop() as string;
        const parent = keys.reduce((node, key) => node[key], target);
        if (op.op === "remove") {
            delete parent[last];
        } else if (op.op === "add") {
            if (Array.isArray(parent)) {
                last === "-" ? parent.push(op.value) : parent.splice(Number(last), 0, op.value);
            } else {
                parent[last] = op.value;
            }
        } else {
            throw new Error(`unsupported patch op ${op.op} in ${op.path}`);
        }
    }
}

function main(): void {
    const config = path.join(moduleDir(), "config");
    const objects = resources(path.join(config, "default"));
    for (const p of kustomization(path.join(config, "crd")).patches ?? []) {
        const target = objects.find((o) => o.kind === "CustomResourceDefinition" && o.metadata.name === p.target.name);
        applyPatch(target, parse(readFileSync(path.join(config, "crd", p.path), "utf8")));
    }
    const header = (what: string) =>
        `# ${what} of KEDA v${kedaVersion}, rendered by scripts/vendorKeda.ts from ${modulePath}@v${kedaVersion} config/. Do not edit.\n`;
    const write = (file: string, what: string, objs: Json[]) =>
        writeFileSync(path.join(outDir, file), header(what) + objs.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join(""));
    const isCrd = (o: Json) => o.kind === "CustomResourceDefinition";
    write("crds.yaml", "The CustomResourceDefinitions", objects.filter(isCrd));
    write("install.yaml", "The namespace, RBAC, operator, metrics API server and admission webhooks", objects.filter((o) => !isCrd(o)));
    console.log(`KEDA v${kedaVersion}: ${objects.filter(isCrd).length} CRDs, ${objects.filter((o) => !isCrd(o)).length} other objects → ${path.relative(process.cwd(), outDir)}`);
}

main();
