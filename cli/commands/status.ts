import * as path from "node:path";
import { serviceNameLabel, serviceObjectName } from "../../components/conventions";
import { ClusterTarget, listObjects } from "../kube";
import { clusterTarget, projectDir, readStackOutputs, selectedStack, StackOutputs } from "../stack";
import { classifyService, nodeGroupStatus } from "../status/classify";
import { Deployment, KubeEvent, Node, Pod } from "../status/kubeTypes";
import { isDown, renderStatus, StatusReport } from "../status/render";

export interface StatusOptions {
    stack?: string;
    kubeconfig?: string;
    json?: boolean;
    watch?: boolean;
    /** Seconds between refreshes with --watch. */
    intervalSeconds?: number;
}

/** Reads the cluster once: the stack's services, their Deployments, pods, events, and the nodes. */
export async function collectStatus(outputs: StackOutputs, stack: string, target: ClusterTarget, now = new Date()): Promise<StatusReport> {
    const [deployments, pods, events, nodes, allPods] = await Promise.all([
        listObjects<Deployment>(target, "deployments", ["-l", serviceNameLabel]),
        listObjects<Pod>(target, "pods", ["-l", serviceNameLabel]),
        listObjects<KubeEvent>(target, "events"),
        listObjects<Node>(target, "nodes"),
        listObjects<Pod>(target, "pods", ["--all-namespaces", "--field-selector", "status.phase!=Succeeded,status.phase!=Failed"]),
    ]);
    const nodeGroups = nodeGroupStatus(outputs.nodeGroups ?? [], nodes, allPods);
    const services = (outputs.services ?? []).map((s) =>
        classifyService(
            s,
            // An adapter runs in its base's pods.
            deployments.find((d) => d.metadata.name === serviceObjectName(s.base ?? s.name)),
            pods.filter((p) => p.metadata.labels?.[serviceNameLabel] === (s.base ?? s.name)),
            events,
            nodeGroups,
            now,
        ),
    );
    return { stack, endpoint: outputs.endpoint, services, nodeGroups };
}

/** `model-services status`: prints the table (or JSON); exit code 1 when a service that should run does not. */
export async function statusCommand(opts: StatusOptions): Promise<number> {
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const outputs = await readStackOutputs(stack, { secrets: false, cwd });
    const target = clusterTarget(outputs, path.join(cwd, `Pulumi.${stack}.yaml`), { kubeconfig: opts.kubeconfig });
    for (;;) {
        const report = await collectStatus(outputs, stack, target);
        const text = opts.json ? JSON.stringify(report, null, 2) : renderStatus(report);
        if (opts.watch) {
            process.stdout.write(`\x1b[2J\x1b[H${new Date().toISOString()}\n\n${text}\n`);
            await new Promise((r) => setTimeout(r, (opts.intervalSeconds ?? 5) * 1000));
            continue;
        }
        process.stdout.write(`${text}\n`);
        return report.services.some(isDown) ? 1 : 0;
    }
}
