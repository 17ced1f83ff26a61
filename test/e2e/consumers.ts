import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { projectRoot } from "../helpers/platform";
import { CapacityType, defaults, NodeGroupKind } from "../../components/config/rules";
import { nodeGroupLabel } from "../../components/conventions";
import { simulatedNodes } from "../../components/plan/eksNodes";
import { engineWorkspace, kubeconfig, kubectl } from "./harness";

/**
 * Consumer programs of the library (examples/compose-*): each runs from a scratch copy with
 * a file backend of its own, on the e2e cluster, with the real engine.
 */

export interface ConsumerProject {
    stack: Stack;
    workDir: string;
    env: Record<string, string>;
}

/** `npm pack` of this repository (its prepack builds dist/): the tarball a user installs. */
export function packLibrary(): string {
    const dest = mkdtempSync(path.join(tmpdir(), "model-services-pack-"));
    execFileSync("npm", ["pack", "--pack-destination", dest, "--loglevel=error"], { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] });
    const [tarball] = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
    if (!tarball) {
        throw new Error(`npm pack wrote no tarball into ${dest}`);
    }
    return path.join(dest, tarball);
}

/** A scratch copy of examples/<name> with a file backend, and a stack configured by `config`. */
export async function consumerStack(example: string, config: Record<string, string>, prepare: (workDir: string) => void): Promise<ConsumerProject> {
    const workDir = mkdtempSync(path.join(tmpdir(), `${example}-`));
    cpSync(path.join(projectRoot, "examples", example), workDir, { recursive: true });
    prepare(workDir);
    const backend = path.join(workDir, ".pulumi");
    execFileSync("mkdir", ["-p", backend]);
    const { workspace: ws, env } = await engineWorkspace(workDir, backend);
    const stack = await Stack.create("e2e", ws);
    for (const [key, value] of Object.entries(config)) {
        await stack.setConfig(key, { value });
    }
    return { stack, workDir, env };
}

/**
 * The existing cluster the consumer programs deploy to, which they do not create: three 1-GPU
 * nodes of node group `gpu-l4` and one CPU node in no node group (where a gateway without CPU
 * groups goes), shaped like EKS nodes by the planner's own node model; KWOK runs their kubelets.
 * Returns the node names, for `deleteNodes`.
 */
export function createExistingNodes(): string[] {
    const shape = { capacityType: CapacityType.OnDemand, diskSizeGiB: defaults.diskSizeGiB };
    const gpu = simulatedNodes({ ...shape, name: "gpu-l4", kind: NodeGroupKind.Gpu, instanceType: "g6.xlarge", desiredSize: 3 });
    const [cpu] = simulatedNodes({ ...shape, name: "existing-cpu", kind: NodeGroupKind.Cpu, instanceType: defaults.systemNodeGroup.instanceType, desiredSize: 1 });
    delete cpu.metadata.labels[nodeGroupLabel];
    const nodes = [...gpu, cpu];
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: nodes }), stdio: ["pipe", "pipe", "inherit"] });
    return nodes.map((n) => n.metadata.name);
}

export function deleteNodes(names: string[]): void {
    if (names.length > 0) {
        execFileSync("kubectl", ["--kubeconfig", kubeconfig, "delete", "node", ...names, "--ignore-not-found"], { stdio: "pipe" });
    }
}

export function removeConsumer(project: ConsumerProject | undefined): void {
    if (project) {
        rmSync(project.workDir, { recursive: true, force: true });
    }
}

/** The decoded entries of a Secret. */
export function secretData(namespace: string, name: string): Record<string, string> {
    const data = kubectl("get", "secret", name, "-n", namespace, "-o", "json").data ?? {};
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")]));
}

/** The access names the gateway routes (the `model` values its route table matches). */
export function routedAccessNames(namespace: string): string[] {
    const rds = JSON.parse(secretData(namespace, "model-gateway-config")["rds.json"]);
    const names = new Set<string>();
    JSON.stringify(rds, (key, value) => {
        if (key === "exact" && typeof value === "string" && value.includes("/")) {
            names.add(value);
        }
        return value;
    });
    return [...names].sort();
}

/** Kind/name of every Deployment, Service and Secret in a namespace. */
export function objectsIn(namespace: string): string[] {
    return kubectl("get", "deployments,services,secrets", "-n", namespace, "-o", "json")
        .items.map((o: any) => `${o.kind}/${o.metadata.name}`)
        .sort();
}
