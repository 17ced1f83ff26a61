import { table } from "../format";
import { NodeGroupStatus, ServiceState, ServiceStatus } from "./classify";

/** The live status, as the table a person reads and the JSON a script reads. */

export interface StatusReport {
    stack: string;
    endpoint?: string;
    services: ServiceStatus[];
    nodeGroups: NodeGroupStatus[];
}

const stateLabel: Record<ServiceState, string> = {
    running: "Running",
    stopped: "Stopped",
    "not-deployed": "Not deployed",
    "crash-loop": "Crash loop",
    failed: "Failed",
    "image-pull-error": "Image pull error",
    "waiting-for-gpu": "Waiting for GPU",
    "pulling-image": "Pulling image",
    "loading-model": "Loading model",
    starting: "Starting",
};

/** A service counts as down when it should run and does not (a stopped service is as configured). */
export function isDown(s: ServiceStatus): boolean {
    return s.state !== ServiceState.Running && s.state !== ServiceState.Stopped;
}

export function renderStatus(report: StatusReport): string {
    const parts: string[] = [];
    parts.push(
        report.services.length === 0
            ? "No model services."
            : table(
                  ["SERVICE", "ACCESS NAME", "SERVICE ID", "MODEL", "READY", "STATUS"],
                  report.services.map((s) => [s.displayName, s.accessName, s.serviceId, s.model, `${s.ready}/${s.desired}`, stateLabel[s.state]]),
              ),
    );
    const reasons = report.services.filter((s) => s.reason);
    if (reasons.length > 0) {
        parts.push(reasons.map((s) => `${s.name}: ${s.reason}`).join("\n"));
    }
    if (report.nodeGroups.length > 0) {
        parts.push(
            table(
                ["NODE GROUP", "INSTANCE TYPE", "NODES/MAX", "GPUS USED", "GPUS FREE"],
                report.nodeGroups.map((g) => [g.name, g.instanceType, `${g.nodes}/${g.maxSize}`, `${g.gpusUsed}/${g.gpusTotal}`, String(g.gpusFree)]),
            ),
        );
    }
    parts.push(`Stack: ${report.stack}   Endpoint: ${report.endpoint ?? "(none)"}`);
    return parts.join("\n\n");
}
