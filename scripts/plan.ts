/**
 * Prints the capacity plan of a stack's config without deploying anything: which GPUs
 * each service gets, whether its model and context fit, how many nodes each group needs
 * and what it all costs per hour.
 *
 *   npm run plan -- --stack local        # Pulumi.local.yaml
 *   npm run plan -- --file my-stack.yaml # any stack file
 *   npm run plan -- --stack dev --json   # the resolved plan as JSON
 *   npm run plan -- --models             # the model catalog
 *   npm run plan -- --catalog            # the GPU instance catalog
 */
import * as path from "node:path";
import { catalogPriceDate, catalogRegion, ConfigError, cpuInstanceTypes, eksControlPlanePricePerHourUsd, gpuInstanceTypes, loadPlatform, modelCatalog, NodeGroupKind, PlatformPlan, readStackFile } from "../components";

/** Hours in an average month, for the monthly figure. */
const hoursPerMonth = 730;

function table(header: string[], rows: string[][], right: number[] = []): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const usd = (value: number) => `$${value.toFixed(2)}`;
const tokens = (value: number | undefined) => (value === undefined ? "?" : value.toLocaleString("en-US"));

/** The plan of a parsed config as text: services, node groups, totals. */
export function formatPlan(config: PlatformPlan, stack: string): string {
    const groupType = new Map(config.nodeGroups.map((g) => [g.name, g]));
    const services = table(
        ["SERVICE", "MODEL", "INSTANCES", "GPUS/INSTANCE", "GPUS", "NODE GROUP", "GPU", "WEIGHTS/GPU", "KV/GPU", "CONTEXT", "FITS UP TO", "$/HOUR", "CACHE", "START (DOWNLOAD+LOAD+WARM-UP)", "PROBE BUDGET"],
        config.services.map((s) => {
            const c = s.capacity;
            const group = groupType.get(s.nodeGroup);
            const start = s.startup;
            return [
                s.name,
                s.base === undefined ? `${s.model}${s.revision ? `@${s.revision.slice(0, 7)}` : ""}` : `LoRA ${s.adapter?.uri ?? "?"} on ${s.base}`,
                String(s.instances),
                `${s.gpus}${s.gpusChosen ? " (auto)" : ""}`,
                String(s.instances * s.gpus),
                `${s.nodeGroup} (${group?.instanceType ?? "?"})`,
                c?.gpuModel ?? "?",
                c ? `${c.weightsGiBPerGpu.toFixed(1)} GiB` : "?",
                c ? `${c.kvCacheGiBPerGpu.toFixed(1)} GiB` : "?",
                c?.contextLength === undefined ? "-" : tokens(c.contextLength),
                c?.maxContextThatFits === undefined ? "-" : tokens(c.maxContextThatFits),
                c ? usd(c.pricePerHourUsd) : "?",
                s.modelCache.kind,
                start.sizeUnknown ? "size unknown" : `${start.downloadSeconds}+${start.loadSeconds}+${start.warmupSeconds} s`,
                `${start.budgetSeconds} s`,
            ];
        }),
        [2, 3, 4, 7, 8, 9, 10, 11, 14],
    );
    const groups = table(
        ["NODE GROUP", "INSTANCE TYPE", "GPUS/NODE", "NODES (MIN/DESIRED/MAX)", "GPUS USED/PROVISIONED", "$/NODE-HOUR", "$/HOUR", "IDLE GPUS $/HOUR"],
        config.nodeGroups.map((g) => {
            const cpu = g.kind === NodeGroupKind.Cpu;
            return [
                g.name,
                `${g.instanceType}${g.instanceTypeChosen ? ` (cheapest ${g.family})` : ""}${cpu ? " (CPU: gateway, add-ons)" : ""}`,
                cpu ? "-" : String(g.gpusPerNode),
                `${g.minSize}/${g.desiredSize}/${g.maxSize}`,
                cpu ? "-" : `${g.capacity?.requestedGpus ?? 0}/${g.capacity?.totalGpus ?? 0}`,
                g.capacity ? usd(g.capacity.pricePerNodeHourUsd) : "?",
                g.capacity ? usd(g.capacity.pricePerHourUsd) : "?",
                cpu || !g.capacity ? "-" : `${g.capacity.idleGpus} ${usd(g.capacity.idleGpuPricePerHourUsd)}`,
            ];
        }),
        [2, 5, 6, 7],
    );
    const total = config.capacity;
    const lines = [
        `Capacity plan of stack "${stack}" (nothing is deployed)`,
        ...(total.simulated ? [`Simulated cluster (KWOK): no bill; the prices are what the same node groups and an EKS control plane would cost on EKS.`] : []),
        "",
        config.services.length ? services : "No model services.",
        "",
        groups,
        "",
        `Total: ${total.requestedGpus} GPUs requested, ${total.totalGpus} provisioned (${total.idleGpus} idle); ${usd(total.pricePerHourUsd)}/hour (≈ ${usd(total.pricePerHourUsd * hoursPerMonth)}/month) on demand${total.simulated ? " if it ran on EKS" : ""}`,
        `  = GPU nodes ${usd(total.gpuNodesPricePerHourUsd)} (of which idle GPUs ${usd(total.idleGpuPricePerHourUsd)}) + CPU nodes ${usd(total.cpuNodesPricePerHourUsd)} + EKS control plane ${usd(total.controlPlanePricePerHourUsd)}${
            total.controlPlanePricePerHourUsd === 0 ? (config.cluster.kind === "eks" ? " (an existing cluster: billed where it was created)" : " (not an EKS cluster)") : " (standard support; $0.60 in extended support)"
        }`,
        `Prices: approximate on-demand Linux, ${total.priceRegion ?? catalogRegion}, read ${total.priceDate ?? catalogPriceDate}; memory figures are estimates (docs/planner.md).`,
        "Start: estimated from the weights' size and the cache (docs/models.md); the startup probe allows the budget.",
    ];
    if (config.cluster.kind === "eks" && config.cluster.region !== catalogRegion) {
        lines.push(`The cluster is in ${config.cluster.region}; the catalog only has ${catalogRegion} prices, and other regions usually cost more.`);
    }
    return lines.join("\n");
}

function formatModels(): string {
    return table(
        ["MODEL", "TASK", "PARAMS", "LAYERS", "KV HEADS", "HEAD DIM", "CONTEXT", "DTYPE"],
        modelCatalog.map((m) => [m.id, m.task, `${m.paramsBillions}B`, String(m.layers ?? "-"), String(m.kvHeads ?? "-"), String(m.headDim ?? "-"), m.maxContext ? tokens(m.maxContext) : "-", m.dtype]),
        [2, 3, 4, 5, 6],
    );
}

function formatCatalog(): string {
    return [
        table(
            ["INSTANCE TYPE", "GPU", "GPUS", "GPU MEMORY", "VCPUS", "MEMORY", "$/HOUR"],
            gpuInstanceTypes.map((t) => [t.instanceType, t.gpuModel, String(t.gpus), `${t.gpuMemoryGiB} GiB`, String(t.vcpus), `${t.memoryGiB} GiB`, `${usd(t.pricePerHourUsd)}${t.priceEstimated ? " (est.)" : ""}`]),
            [2, 3, 4, 5, 6],
        ),
        "",
        table(
            ["CPU INSTANCE TYPE", "VCPUS", "MEMORY", "$/HOUR"],
            cpuInstanceTypes.map((t) => [t.instanceType, String(t.vcpus), `${t.memoryGiB} GiB`, usd(t.pricePerHourUsd)]),
            [1, 2, 3],
        ),
        "",
        `EKS control plane: ${usd(eksControlPlanePricePerHourUsd)}/hour per cluster (standard support).`,
        `Approximate on-demand Linux prices in ${catalogRegion}, read ${catalogPriceDate}.`,
    ].join("\n");
}

function usage(): string {
    return "usage: npm run plan -- (--stack <name> | --file <Pulumi.<stack>.yaml>) [--json] | --models | --catalog";
}

/** Runs the command line; returns the exit code. */
export function main(argv: string[], cwd = process.cwd()): number {
    const arg = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    if (argv.includes("--models")) {
        console.log(formatModels());
        return 0;
    }
    if (argv.includes("--catalog")) {
        console.log(formatCatalog());
        return 0;
    }
    const stack = arg("--stack") ?? (argv[0] && !argv[0].startsWith("--") ? argv[0] : undefined);
    const file = arg("--file") ?? (stack ? path.join(cwd, `Pulumi.${stack}.yaml`) : undefined);
    if (!file) {
        console.error(usage());
        return 2;
    }
    const stackName = stack ?? path.basename(file).replace(/^Pulumi\.|\.ya?ml$/g, "");
    let input: ReturnType<typeof readStackFile>;
    try {
        input = readStackFile(file);
    } catch (e) {
        console.error(`Cannot read ${file}: ${(e as Error).message}`);
        return 2;
    }
    try {
        const config = loadPlatform(input.raw, { ...input.context, stack: stackName });
        console.log(argv.includes("--json") ? JSON.stringify({ nodeGroups: config.nodeGroups, services: config.services, capacity: config.capacity }, null, 2) : formatPlan(config, stackName));
        return 0;
    } catch (e) {
        if (e instanceof ConfigError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
