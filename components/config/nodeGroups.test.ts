import { describe, expect, it } from "vitest";
import { configProblems } from "../../test/helpers/planConfig";
import { parseConfig } from "./parse";
import { NodeGroupConfig } from "./types";

/**
 * How `parseConfig` resolves each node group (nodeGroups.ts): an instance type from the
 * catalogs, or a GPU family for the planner to pick a size of, and a size range. Every case
 * is one GPU group named "gpu" with its fields overridden, and one service on it.
 */
function raw(group: Record<string, unknown>): Record<string, unknown> {
    return {
        owner: "u-1",
        cluster: { kind: "kubeconfig", kubeconfig: "k" },
        nodeGroups: [{ name: "gpu", minSize: 0, maxSize: 2, ...group }],
        services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: 1 }],
        apiKeys: [{ name: "app", services: ["*"] }],
    };
}

function problems(group: Record<string, unknown>): string[] {
    return configProblems(() => parseConfig(raw(group), { stack: "test" }));
}

/** The resolved group "gpu" of an accepted config. */
function resolved(group: Record<string, unknown>): NodeGroupConfig | undefined {
    return parseConfig(raw(group), { stack: "test" }).nodeGroups.find((g) => g.name === "gpu");
}

describe("nodeGroups: an instance type in no catalog", () => {
    it("without a near miss, names the GPU families and the CPU sizes", () => {
        expect(problems({ instanceType: "zz9.metal" })).toEqual([
            'nodeGroups[0].instanceType: is not an instance type in the catalogs, got "zz9.metal". Pick a GPU size of the g5, g6, g6e, p4d, p4de, p5, p5e, p5en families, or a CPU size (m7i, m6i, m5, c7i, t3) for a system group.',
        ]);
    });
});

describe("nodeGroups: instanceType and family together", () => {
    it("is accepted when the instance type is a size of the family", () => {
        expect(resolved({ instanceType: "g6.xlarge", family: "g6" })).toMatchObject({ instanceType: "g6.xlarge", family: "g6" });
    });

    it("is refused when the family is only a prefix of the instance type's family", () => {
        expect(problems({ instanceType: "g6e.xlarge", family: "g6" })).toEqual([
            'nodeGroups[0].family: does not match instanceType "g6e.xlarge", got "g6". Remove family, or remove instanceType to let the planner pick a size of the family.',
        ]);
    });

    it("draws only the mismatch when the family is in no catalog: the instance type decides", () => {
        expect(problems({ instanceType: "g6.xlarge", family: "zz" })).toEqual([
            'nodeGroups[0].family: does not match instanceType "g6.xlarge", got "zz". Remove family, or remove instanceType to let the planner pick a size of the family.',
        ]);
    });
});

describe("nodeGroups: a family without an instance type", () => {
    it("is accepted for a GPU family, the size left to the planner", () => {
        expect(resolved({ family: "g6e" })).toMatchObject({ instanceType: undefined, family: "g6e", kind: "gpu" });
    });

    it("is refused for a family like a catalog one, with a did-you-mean", () => {
        expect(problems({ family: "g6ee" })).toEqual(['nodeGroups[0].family: is not a GPU family in the catalog, got "g6ee". Did you mean "g6e"?']);
    });

    it("is refused for a family like none, listing the catalog's", () => {
        expect(problems({ family: "zzzzzz" })).toEqual([
            'nodeGroups[0].family: is not a GPU family in the catalog, got "zzzzzz". Use one of g5, g6, g6e, p4d, p4de, p5, p5e, p5en.',
        ]);
    });
});

describe("nodeGroups: neither instanceType nor family", () => {
    it("says instanceType is missing and how to set either", () => {
        expect(problems({})).toEqual([
            'nodeGroups[0].instanceType: is missing. Set instanceType (e.g. "g6e.xlarge"), or family (e.g. "g6e") to let the planner pick the cheapest size that fits.',
        ]);
    });
});

describe("nodeGroups: minSize and maxSize", () => {
    it("accepts minSize equal to maxSize (a fixed-size group)", () => {
        expect(resolved({ instanceType: "g6.xlarge", minSize: 2, maxSize: 2 })).toMatchObject({ minSize: 2, maxSize: 2 });
    });

    it("refuses minSize above maxSize", () => {
        expect(problems({ instanceType: "g6.xlarge", minSize: 3, maxSize: 2 })).toEqual(["nodeGroups[0].minSize: is larger than maxSize (2), got 3. Lower minSize to at most 2 or raise maxSize."]);
    });
});
