import { describe, expect, it } from "vitest";
import type { GpuInstanceType } from "../catalog/gpuInstances";
import { cheapestFit, compareRanks, footprintByInstanceType } from "./fit";
import { model, type } from "../../test/helpers/catalog";

describe("an instance's price on an instance type: its GPUs' share of the node's hourly price", () => {
    it("charges a 1-GPU fit on a 4-GPU g6.12xlarge a quarter of the node, a 2-GPU fit on a g6e.12xlarge half", () => {
        const small = footprintByInstanceType(model("meta-llama/Llama-3.2-3B-Instruct"), {}, undefined, [type("g6.12xlarge")]);
        expect(small[0].fit?.gpus).toBe(1);
        expect(small[0].pricePerHourUsd).toBeCloseTo(4.6016 / 4, 10);

        const q32 = footprintByInstanceType(model("Qwen/Qwen3-32B"), {}, 32_768, [type("g6e.12xlarge")]);
        expect(q32[0].fit?.gpus).toBe(2);
        expect(q32[0].pricePerHourUsd).toBeCloseTo(10.49264 / 2, 10);
    });

    it("has no price where nothing fits", () => {
        const rows = footprintByInstanceType(model("meta-llama/Llama-3.1-70B-Instruct"), {}, undefined, [type("g6e.xlarge")]);
        expect(rows[0].fit).toBeUndefined();
        expect(rows[0].pricePerHourUsd).toBeUndefined();
    });
});

describe("the cheapest instance type for a number of instances, counting whole nodes", () => {
    it("packs as many instances on a node as its GPUs hold: a third Llama-3.1-70B instance tips it from g6e.12xlarge to p4de.24xlarge", () => {
        const l70 = model("meta-llama/Llama-3.1-70B-Instruct");
        // g6e.12xlarge: 4 L40S, one instance per node ($10.49/h each); p4de.24xlarge: 8 A100 80GB,
        // four 2-GPU instances per node ($27.45/h). Two instances: 2 × 10.49 < 27.45; three: 31.48 > 27.45.
        const two = cheapestFit(l70, {}, undefined, 2);
        expect(two?.type.instanceType).toBe("g6e.12xlarge");
        expect(two?.fit?.gpus).toBe(4);
        const three = cheapestFit(l70, {}, undefined, 3);
        expect(three?.type.instanceType).toBe("p4de.24xlarge");
        expect(three?.fit?.gpus).toBe(2);
    });

    it("keeps the type listed first when two types tie on node cost, per-instance share and GPUs", () => {
        const qwen = model("Qwen/Qwen3-8B");
        const l40s = type("g6e.xlarge");
        const twin: GpuInstanceType = { ...l40s, instanceType: "g6e.xlarge-twin" };
        expect(cheapestFit(qwen, {}, undefined, 1, [l40s, twin])?.type.instanceType).toBe("g6e.xlarge");
        expect(cheapestFit(qwen, {}, undefined, 1, [twin, l40s])?.type.instanceType).toBe("g6e.xlarge-twin");
    });
});

describe("comparing rank tuples", () => {
    it("is zero for equal ranks, and negative or positive at the first difference", () => {
        expect(compareRanks([27.44705, 6.86, 2], [27.44705, 6.86, 2])).toBe(0);
        expect(compareRanks([20.98528, 10.49264, 4], [27.44705, 6.86, 2])).toBeLessThan(0);
        expect(compareRanks([27.44705, 6.86, 4], [27.44705, 6.86, 2])).toBe(2);
    });
});
