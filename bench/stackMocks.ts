/**
 * The whole platform program under Pulumi mocks (no engine): wall time and heap to register
 * every resource of a stack with 10, 50 and 200 services. `npm run bench:mocks`.
 */
import { performance } from "node:perf_hooks";
import { installMocks, settle, valueOf } from "../test/helpers/mocks";

function config(services: number): Record<string, any> {
    return {
        owner: "u-bench",
        cluster: { kind: "eks", name: "bench" },
        nodeGroups: [
            { name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 400 },
            { name: "gpu-l40s", instanceType: "g6e.12xlarge", minSize: 0, maxSize: 200 },
        ],
        services: Array.from({ length: services }, (_, i) => ({
            name: `svc-${i}`,
            model: i % 3 === 0 ? "Qwen/Qwen3-32B" : "Qwen/Qwen3-8B",
            instances: 1 + (i % 2),
            gpus: i % 3 === 0 ? 2 : 1,
            nodeGroup: i % 3 === 0 ? "gpu-l40s" : "gpu-l4",
            maxModelLen: 8192,
        })),
        apiKeys: [
            { name: "all", services: ["*"] },
            { name: "some", services: Array.from({ length: Math.ceil(services / 2) }, (_, i) => `svc-${i * 2}`) },
        ],
    };
}

async function main() {
    const sizes = (process.argv[2] ?? "10,50,200").split(",").map(Number);
    console.log("| services | resources registered | wall time | heap used after |");
    console.log("|---|---|---|---|");
    for (const n of sizes) {
        const registered = await installMocks({ stack: `bench-${n}` });
        const { loadPlatform } = await import("../components");
        const { ModelPlatform } = await import("../components");
        const start = performance.now();
        const platform = new ModelPlatform(`bench-${n}`, { plan: loadPlatform(config(n), { stack: `bench-${n}` }) });
        await valueOf(platform.services);
        await valueOf(platform.endpoint);
        await settle();
        const seconds = (performance.now() - start) / 1000;
        const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
        console.log(`| ${n} | ${registered.length} | ${seconds.toFixed(2)} s | ${heapMiB.toFixed(0)} MiB |`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
