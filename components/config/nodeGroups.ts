import { findGpuInstanceType, gpuFamilies, gpuInstanceTypes, gpuInstanceTypesOfFamily } from "../catalog/gpuInstances";
import { cpuFamilies, cpuInstanceTypes, findCpuInstanceType } from "../catalog/cpuInstances";
import { didYouMean } from "./didYouMean";
import { IssueList, quoted } from "./issues";
import { AmiType, defaults, GpuAmiType, NodeGroupKind } from "./rules";
import { RawConfig } from "./schema";
import { NodeGroupConfig } from "./types";

const gpuAmiTypes: readonly string[] = Object.values(GpuAmiType);

/**
 * The node groups of a config, checked and with their defaults: each group's kind from the
 * catalog its instance type is in (GPU or CPU), its AMI type, and — when the config declares
 * no CPU group — the default system group, where the gateway and the cluster add-ons run
 * (GPU nodes are tainted, so without a CPU group they would stay Pending).
 */
export function resolveNodeGroups(raw: RawConfig["nodeGroups"], issues: IssueList): NodeGroupConfig[] {
    const groups = raw.map((g, i): NodeGroupConfig => {
        const path = `nodeGroups[${i}]`;
        const cpu = g.instanceType !== undefined && findCpuInstanceType(g.instanceType) !== undefined;
        if (g.instanceType !== undefined && !cpu && !findGpuInstanceType(g.instanceType)) {
            const known = [...gpuInstanceTypes, ...cpuInstanceTypes].map((t) => t.instanceType);
            issues.add(
                `${path}.instanceType`,
                g.instanceType,
                "is not an instance type in the catalogs",
                didYouMean(g.instanceType, known)?.concat(" (`npm run plan -- --catalog` lists the catalogs)") ??
                    `pick a GPU size of the ${gpuFamilies().join(", ")} families, or a CPU size (${cpuFamilies().join(", ")}) for a system group`,
            );
        }
        if (g.instanceType !== undefined && g.family !== undefined && !g.instanceType.startsWith(`${g.family}.`)) {
            issues.add(`${path}.family`, g.family, `does not match instanceType "${g.instanceType}"`, "remove family, or remove instanceType to let the planner pick a size of the family");
        }
        if (g.instanceType === undefined && g.family === undefined) {
            issues.add(`${path}.instanceType`, undefined, "is missing", 'set instanceType (e.g. "g6e.xlarge"), or family (e.g. "g6e") to let the planner pick the cheapest size that fits');
        }
        if (g.instanceType === undefined && g.family !== undefined && gpuInstanceTypesOfFamily(g.family).length === 0) {
            const families = gpuFamilies();
            issues.add(`${path}.family`, g.family, "is not a GPU family in the catalog", didYouMean(g.family, families) ?? `use one of ${families.join(", ")}`);
        }
        if (g.minSize > g.maxSize) {
            issues.add(`${path}.minSize`, g.minSize, `is larger than maxSize (${g.maxSize})`, `lower minSize to at most ${g.maxSize} or raise maxSize`);
        }
        if (cpu && g.amiType !== undefined && gpuAmiTypes.includes(g.amiType)) {
            issues.add(`${path}.amiType`, g.amiType, `is an NVIDIA AMI, but ${g.instanceType} has no GPU`, `remove amiType (CPU groups use ${defaults.cpuAmiType})`);
        }
        if (!cpu && g.amiType === AmiType.Al2023Standard) {
            issues.add(`${path}.amiType`, g.amiType, "has no NVIDIA driver, so the GPUs of this group would not be usable", `remove amiType, or use ${quoted(gpuAmiTypes)}`);
        }
        return {
            name: g.name,
            instanceType: g.instanceType,
            kind: cpu ? NodeGroupKind.Cpu : NodeGroupKind.Gpu,
            family: g.family,
            minSize: g.minSize,
            maxSize: g.maxSize,
            capacityType: g.capacityType ?? defaults.capacityType,
            diskSizeGiB: g.diskSizeGiB ?? defaults.diskSizeGiB,
            amiType: g.amiType ?? (cpu ? defaults.cpuAmiType : defaults.amiType),
            modelCache: g.modelCache && { kind: g.modelCache.kind, sizeGiB: g.modelCache.sizeGiB ?? defaults.modelCacheGiB, hostPath: g.modelCache.hostPath, storageClass: g.modelCache.storageClass },
        };
    });
    if (groups.some((g) => g.kind === NodeGroupKind.Cpu)) {
        return groups;
    }
    const system = defaults.systemNodeGroup;
    const clash = groups.findIndex((g) => g.name === system.name);
    if (clash >= 0) {
        issues.add(
            `nodeGroups[${clash}].name`,
            system.name,
            "is the name of the default system group, which a stack without a CPU node group gets",
            `rename this GPU group, or declare a CPU group (e.g. instanceType ${system.instanceType})`,
        );
        return groups;
    }
    return [
        ...groups,
        {
            ...system,
            kind: NodeGroupKind.Cpu,
            capacityType: defaults.capacityType,
            diskSizeGiB: defaults.systemDiskSizeGiB,
            amiType: defaults.cpuAmiType,
        },
    ];
}
