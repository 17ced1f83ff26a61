import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AmiType, CapacityType, defaults, enumValues, GatewayServiceType, loraRankChoices, ModelCacheKind, Quantization, ranges, S3AccessMode, ServiceTask, WeightsDtype } from "../components/config/rules";

/** The README's configuration table states the rules written in components/config/rules.ts. */

const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");

/** Cells of the configuration reference row for a key: [type, default, example]. */
function row(key: string): string[] {
    const [name, qualifier] = key.split(" ");
    const cell = qualifier ? `\`${name}\` ${qualifier}` : `\`${name}\``;
    const line = readme.split("\n").find((l) => l.startsWith(`| ${cell} |`));
    expect(line, `README row for ${key}`).toBeDefined();
    return line!.split(/(?<!\\)\|/).slice(2, -1).map((c) => c.trim());
}

const choices = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(" \\| ");

describe("README configuration reference", () => {
    it.each([
        ["nodeGroups[].capacityType", enumValues(CapacityType), defaults.capacityType],
        ["services[].task", enumValues(ServiceTask), defaults.task],
        ["services[].dtype", enumValues(WeightsDtype), defaults.dtype],
        ["services[].quantization", enumValues(Quantization), undefined],
        ["gateway.serviceType", enumValues(GatewayServiceType), undefined],
        ["nodeGroups[].modelCache.kind", enumValues(ModelCacheKind), defaults.modelCacheKind],
        ["services[].maxLoraRank (base)", loraRankChoices.map(String), undefined],
        ["modelAccess.s3.mode", enumValues(S3AccessMode), undefined],
    ])("%s lists exactly the allowed values and the default", (key, values, fallback) => {
        const [type, dflt] = row(key);
        expect(type).toBe(choices(values));
        if (fallback !== undefined) expect(dflt).toBe(`\`${fallback}\``);
    });

    it("nodeGroups[].amiType lists exactly the allowed values and both defaults", () => {
        const [type, dflt] = row("nodeGroups[].amiType");
        expect(type).toBe(choices(enumValues(AmiType)));
        expect(dflt).toBe(`\`${defaults.amiType}\` (GPU groups), \`${defaults.cpuAmiType}\` (CPU groups)`);
    });

    it("states the default system group as rules.ts has it", () => {
        const g = defaults.systemNodeGroup;
        expect(readme).toContain(`\`{name: ${g.name}, instanceType:\n${g.instanceType}, minSize: ${g.minSize}, maxSize: ${g.maxSize}}\``);
    });

    it.each([
        ["namespace", `\`${defaults.namespace}\``],
        ["cluster.version (eks)", `\`"${defaults.eksVersion}"\``],
        ["cluster.region (eks)", `\`${defaults.region}\``],
        ["nodeGroups[].diskSizeGiB", `\`${defaults.diskSizeGiB}\``],
        ["services[].gpuMemoryUtilization", `\`${defaults.gpuMemoryUtilization}\``],
        ["gateway.replicas", `\`${defaults.gatewayReplicas}\``],
        ["gateway.maxRequestBodyMiB", `\`${defaults.maxRequestBodyMiB}\``],
        ["apiKeys[].rotation", `\`${defaults.rotation}\``],
        ["nodeGroups[].modelCache.sizeGiB", `\`${defaults.modelCacheGiB}\``],
        ["nodeGroups[].modelCache.hostPath (node-local)", `\`${defaults.nodeLocalCachePath}\``],
        ["gateway.defaultRequestsPerMinute", `\`${defaults.keyRequestsPerMinute}\``],
        ["gateway.scheme", `\`${defaults.gatewayScheme}\``],
        ["playground.enabled", `\`${defaults.playgroundEnabled}\``],
        ["playground.services", `\`${JSON.stringify(defaults.playgroundServices)}\``],
    ])("%s states the default", (key, dflt) => {
        expect(row(key)[1]).toBe(dflt);
    });

    it.each([
        ["nodeGroups[].diskSizeGiB", ranges.diskSizeGiB],
        ["services[].gpuMemoryUtilization", ranges.gpuMemoryUtilization],
        ["gateway.replicas", ranges.gatewayReplicas],
        ["gateway.maxRequestBodyMiB", ranges.maxRequestBodyMiB],
        ["nodeGroups[].modelCache.sizeGiB", ranges.modelCacheGiB],
    ])("%s states the range", (key, range) => {
        expect(row(key)[0]).toContain(`${range.min}…${range.max}`);
    });
});
