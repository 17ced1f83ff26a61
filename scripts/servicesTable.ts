/**
 * Prints the services table of a deployed stack, like a hosted console's service list:
 * `pulumi stack output --json | tsx scripts/servicesTable.ts`.
 */

export interface StackOutputs {
    endpoint?: string;
    services?: Array<{ name: string; displayName?: string; accessName: string; serviceId: string; baseModel: string; instances: number; gpusPerInstance?: number; status: string }>;
    nodeGroups?: Array<{ name: string; instanceType: string; gpusPerNode: number; minSize: number; desiredSize: number; maxSize: number }>;
    capacity?: {
        pricePerHourUsd: number;
        gpuNodesPricePerHourUsd?: number;
        idleGpus?: number;
        idleGpuPricePerHourUsd?: number;
        cpuNodesPricePerHourUsd?: number;
        controlPlanePricePerHourUsd?: number;
        simulated?: boolean;
    };
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatServicesTable(outputs: StackOutputs): string {
    const services = outputs.services ?? [];
    const parts = [
        services.length === 0
            ? "No model services."
            : table(
                  ["NAME", "ACCESS NAME", "SERVICE ID", "BASE MODEL", "INSTANCES", "GPUS", "STATUS"],
                  services.map((s) => [s.displayName ?? s.name, s.accessName, s.serviceId, s.baseModel, String(s.instances), String((s.gpusPerInstance ?? 1) * s.instances), s.status]),
              ),
    ];
    if (outputs.nodeGroups?.length) {
        parts.push(
            table(
                ["NODE GROUP", "INSTANCE TYPE", "GPUS/NODE", "MIN", "DESIRED", "MAX"],
                outputs.nodeGroups.map((g) => [g.name, g.instanceType, String(g.gpusPerNode), String(g.minSize), String(g.desiredSize), String(g.maxSize)]),
            ),
        );
    }
    const c = outputs.capacity;
    if (c?.gpuNodesPricePerHourUsd !== undefined) {
        const usd = (v = 0) => `$${v.toFixed(2)}`;
        parts.push(
            `Cost: ${usd(c.pricePerHourUsd)}/hour on demand${c.simulated ? " if this simulated cluster ran on EKS" : ""} = GPU nodes ${usd(c.gpuNodesPricePerHourUsd)} ` +
                `(${c.idleGpus ?? 0} idle GPUs ${usd(c.idleGpuPricePerHourUsd)}) + CPU nodes ${usd(c.cpuNodesPricePerHourUsd)} + EKS control plane ${usd(c.controlPlanePricePerHourUsd)}`,
        );
    }
    parts.push(`Endpoint: ${outputs.endpoint ?? "(none)"}`);
    parts.push("Keys: pulumi stack output --show-secrets apiKeys");
    return parts.join("\n\n");
}

if (require.main === module) {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => {
        console.log(formatServicesTable(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")));
    });
}
