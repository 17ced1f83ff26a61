/**
 * Benchmark of the capacity planner (`npm run bench:planner`, `-- --write` updates
 * docs/planner.md).
 *
 * 1. Cost: 60 generated service mixes (1–200 services of catalog models, mixed sizes,
 *    contexts and instance counts; seeded, so every run sees the same mixes). Each mix is a
 *    stack config whose services leave `gpus` out and whose node groups name only a family;
 *    the planner picks tensor-parallel sizes, instance types and node counts. Its total
 *    $/hour is compared with a lower bound no plan can beat: every service's GPU memory
 *    need at the cheapest $/GiB-hour of any catalog type that can hold it.
 * 2. Speed: parsing and planning 10, 100 and 1,000 services, time and heap.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { cheapestFit, gpuInstanceTypes, loadPlatform, memoryNeedGiB, modelCatalog, PlatformPlan, pricePerGpuGiBHour, requestedContext, ResolvedModel, resolveModel, ServicePlan, servingOptions, smallestFit } from "../components";

const seed = 20261126;
const mixCount = 60;

/** mulberry32: a small, fast, seedable generator. */
function rng(s: number): () => number {
    let a = s >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const contexts = [2048, 4096, 8192, 16384, 32768, undefined];

interface GeneratedService {
    name: string;
    model: string;
    task: string;
    instances: number;
    maxModelLen?: number;
    /** Where one instance's GPUs cost least per GPU-hour (nodes shared with other services). */
    shared: { family: string; multiGpu: boolean };
    /** Where this service's own instances cost least counting whole nodes (nodes to itself). */
    alone: { family: string; multiGpu: boolean };
}

/** `n` services of random catalog models, contexts and instance counts. */
function generateMix(n: number, random: () => number): GeneratedService[] {
    const services: GeneratedService[] = [];
    for (let i = 0; i < n; i++) {
        const spec = modelCatalog[Math.floor(random() * modelCatalog.length)];
        const model = resolveModel(spec.id) as ResolvedModel;
        const instances = 1 + Math.floor(random() ** 3 * 6);
        let maxModelLen = spec.task === "image-generation" ? undefined : contexts[Math.floor(random() * contexts.length)];
        if (maxModelLen !== undefined && model.maxContext !== undefined) {
            maxModelLen = Math.min(maxModelLen, model.maxContext);
        }
        const context = requestedContext(model, maxModelLen);
        const shared = cheapestFit(model, { task: spec.task }, context, Number.MAX_SAFE_INTEGER);
        const alone = cheapestFit(model, { task: spec.task }, context, instances);
        if (!shared?.fit || !alone?.fit) {
            continue;
        }
        services.push({
            name: `s-${i}`,
            model: spec.id,
            task: spec.task,
            instances,
            maxModelLen,
            shared: { family: shared.type.family, multiGpu: shared.fit.gpus > 1 },
            alone: { family: alone.type.family, multiGpu: alone.fit.gpus > 1 },
        });
    }
    return services;
}

/**
 * Node-group layouts an operator might write for a mix (`npm run plan` shows what each
 * costs): every group names only a family, every service leaves `gpus` out, so the planner
 * picks instance types, tensor-parallel sizes and node counts.
 */
const layouts = {
    /** One group per family, each service in the family where its own instances cost least. */
    perFamily: (s: GeneratedService) => s.alone.family,
    /** As above, multi-GPU instances in a group of their own (small models keep small nodes). */
    perFamilySplit: (s: GeneratedService) => `${s.alone.family}${s.alone.multiGpu ? "-multi" : ""}`,
    /** Each service in the family with the cheapest GPUs per hour, sharing nodes; multi-GPU split. */
    sharedSplit: (s: GeneratedService) => `${s.shared.family}${s.shared.multiGpu ? "-multi" : ""}`,
} as const;
type Layout = keyof typeof layouts;

function toRawConfig(services: GeneratedService[], layout: Layout): Record<string, unknown> {
    const groupOf = layouts[layout];
    const groups = [...new Set(services.map(groupOf))];
    return {
        owner: "u-bench",
        cluster: { kind: "kubeconfig" },
        nodeGroups: (groups.length ? groups : ["g6"]).map((group) => ({ name: `gpu-${group}`, family: group.replace(/-multi$/, ""), minSize: 0, maxSize: 100_000 })),
        services: services.map((s) => ({
            name: s.name,
            model: s.model,
            task: s.task,
            instances: s.instances,
            nodeGroup: `gpu-${groupOf(s)}`,
            ...(s.maxModelLen !== undefined ? { maxModelLen: s.maxModelLen } : {}),
        })),
    };
}

/** No plan pays less than each service's memory need at the cheapest $/GiB-hour that can hold it. */
function lowerBound(services: readonly ServicePlan[]): number {
    let total = 0;
    for (const s of services) {
        const model = resolveModel(s.model, s.architecture, s.task) as ResolvedModel;
        const opts = servingOptions(s);
        const context = requestedContext(model, s.maxModelLen);
        const cheapest = Math.min(...gpuInstanceTypes.filter((t) => smallestFit(model, t, opts, context)).map(pricePerGpuGiBHour));
        total += s.instances * memoryNeedGiB(model, opts, context) * cheapest;
    }
    return total;
}

/**
 * A tighter bound that respects what Kubernetes can allocate: every instance takes whole
 * GPUs, so it pays at least the per-GPU share of the cheapest GPUs that can hold it.
 */
function wholeGpuBound(services: readonly ServicePlan[]): number {
    let total = 0;
    for (const s of services) {
        const model = resolveModel(s.model, s.architecture, s.task) as ResolvedModel;
        const opts = servingOptions(s);
        const context = requestedContext(model, s.maxModelLen);
        const perInstance = Math.min(
            ...gpuInstanceTypes.map((t) => {
                const fit = smallestFit(model, t, opts, context);
                return fit ? (fit.gpus * t.pricePerHourUsd) / t.gpus : Infinity;
            }),
        );
        total += s.instances * perInstance;
    }
    return total;
}

function quantile(sorted: readonly number[], q: number): number {
    const i = (sorted.length - 1) * q;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

interface MixResult {
    services: number;
    instances: number;
    /** Planned $/hour per layout. */
    planned: Record<Layout, number>;
    /** The cheapest layout's plan. */
    best: number;
    gpus: number;
    bound: number;
    wholeGpuBound: number;
}

function costBenchmark(): MixResult[] {
    const random = rng(seed);
    const rows: MixResult[] = [];
    for (let m = 0; m < mixCount; m++) {
        const n = m === 0 ? 1 : m === mixCount - 1 ? 200 : 1 + Math.floor(random() * 200);
        const mix = generateMix(n, random);
        const planned = {} as Record<Layout, number>;
        let best: PlatformPlan | undefined;
        for (const layout of Object.keys(layouts) as Layout[]) {
            const config = loadPlatform(toRawConfig(mix, layout), { stack: "bench" });
            planned[layout] = config.capacity?.pricePerHourUsd ?? NaN;
            if (!best || planned[layout] < (best.capacity?.pricePerHourUsd ?? Infinity)) {
                best = config;
            }
        }
        const chosen = best as PlatformPlan;
        rows.push({
            services: chosen.services.length,
            instances: chosen.services.reduce((a, s) => a + s.instances, 0),
            planned,
            best: chosen.capacity?.pricePerHourUsd ?? NaN,
            gpus: chosen.capacity?.totalGpus ?? 0,
            bound: lowerBound(chosen.services),
            wholeGpuBound: wholeGpuBound(chosen.services),
        });
    }
    return rows;
}

function gcFunction(): () => void {
    setFlagsFromString("--expose_gc");
    return runInNewContext("gc") as () => void;
}

interface SpeedRow {
    services: number;
    medianMs: number;
    maxMs: number;
    heapAllocatedMiB: number;
    heapRetainedMiB: number;
}

function speedBenchmark(): SpeedRow[] {
    const gc = gcFunction();
    const random = rng(seed + 1);
    const rows: SpeedRow[] = [];
    for (const n of [10, 100, 1000]) {
        const raw = toRawConfig(generateMix(n, random), "sharedSplit");
        const text = JSON.stringify(raw);
        for (let i = 0; i < 3; i++) {
            loadPlatform(JSON.parse(text), { stack: "bench" }); // warm up
        }
        const times: number[] = [];
        for (let i = 0; i < 15; i++) {
            const input = JSON.parse(text);
            const start = performance.now();
            loadPlatform(input, { stack: "bench" });
            times.push(performance.now() - start);
        }
        gc();
        const input = JSON.parse(text);
        const before = process.memoryUsage().heapUsed;
        const result = loadPlatform(input, { stack: "bench" });
        const allocated = process.memoryUsage().heapUsed - before;
        gc();
        const retained = process.memoryUsage().heapUsed - before;
        if (result.services.length === 0) {
            throw new Error("empty plan");
        }
        times.sort((a, b) => a - b);
        rows.push({ services: n, medianMs: quantile(times, 0.5), maxMs: times[times.length - 1], heapAllocatedMiB: allocated / 2 ** 20, heapRetainedMiB: retained / 2 ** 20 });
    }
    return rows;
}

function report(cost: MixResult[], speed: SpeedRow[]): string {
    const fmt = (x: number, d = 3) => x.toFixed(d);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const stats = (xs: number[]) => {
        const r = sorted(xs);
        return [quantile(r, 0.5), quantile(r, 0.9), r[r.length - 1], r[0]];
    };
    const columns: Array<[string, number[]]> = [
        ["memory bound", stats(cost.map((x) => x.best / x.bound))],
        ["whole-GPU bound", stats(cost.map((x) => x.best / x.wholeGpuBound))],
        ...(Object.keys(layouts) as Layout[]).map((l): [string, number[]] => [`${l} ÷ whole-GPU`, stats(cost.map((x) => x.planned[l] / x.wholeGpuBound))]),
    ];
    const lines = [
        `Seed ${seed}: ${cost.length} mixes of ${Math.min(...cost.map((x) => x.services))}–${Math.max(...cost.map((x) => x.services))} services ` +
            `(${cost.reduce((a, x) => a + x.services, 0)} services, ${cost.reduce((a, x) => a + x.instances, 0)} instances in all), ${gpuInstanceTypes.length} catalog instance types, Node ${process.versions.node}.`,
        "",
        `| planned $/hour ÷ bound | ${columns.map(([name]) => name).join(" | ")} |`,
        `|---|${columns.map(() => "---").join("|")}|`,
        ...["median", "90th percentile", "worst", "best"].map((label, i) => `| ${label} | ${columns.map(([, v]) => fmt(v[i])).join(" | ")} |`),
        "",
        "| services | median time | slowest of 15 | heap allocated | heap retained |",
        "|---|---|---|---|---|",
        ...speed.map((s) => `| ${s.services.toLocaleString("en-US")} | ${fmt(s.medianMs, 1)} ms | ${fmt(s.maxMs, 1)} ms | ${fmt(s.heapAllocatedMiB, 1)} MiB | ${s.heapRetainedMiB < 0.01 ? "< 0.01" : fmt(s.heapRetainedMiB, 2)} MiB |`),
    ];
    const worst = cost.reduce((a, b) => (a.best / a.bound > b.best / b.bound ? a : b));
    lines.push(
        "",
        `Worst mix against the memory bound: ${worst.services} service(s), ${worst.instances} instance(s), planned $${fmt(worst.best, 2)}/hour, bound $${fmt(worst.bound, 2)}/hour, whole-GPU bound $${fmt(worst.wholeGpuBound, 2)}/hour.`,
    );
    return lines.join("\n");
}

const startMarker = "<!-- bench:planner:start -->";
const endMarker = "<!-- bench:planner:end -->";

function main(argv: string[]): void {
    const cost = costBenchmark();
    const speed = speedBenchmark();
    const text = report(cost, speed);
    console.log(text);
    if (argv.includes("--write")) {
        const file = path.join(__dirname, "..", "docs", "planner.md");
        const doc = readFileSync(file, "utf8");
        const start = doc.indexOf(startMarker);
        const end = doc.indexOf(endMarker);
        if (start < 0 || end < start) {
            throw new Error(`${file} has no ${startMarker} … ${endMarker} block`);
        }
        writeFileSync(file, `${doc.slice(0, start + startMarker.length)}\n${text}\n${doc.slice(end)}`);
        console.log(`\nWrote ${path.relative(process.cwd(), file)}`);
    }
    if (speed.some((s) => s.services === 1000 && s.medianMs >= 1000)) {
        process.exitCode = 1;
        console.error("Planning 1,000 services took a second or more.");
    }
}

main(process.argv.slice(2));
