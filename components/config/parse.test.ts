import { describe, expect, it } from "vitest";
import { kubeconfigStack } from "../../test/helpers/freshConfig";
import { configProblems } from "../../test/helpers/planConfig";
import { parseConfig } from "./parse";

/** The shared kubeconfig stack with the given node groups and its service's fields overridden. */
function raw(nodeGroups: Record<string, unknown>[], service: Record<string, unknown> = {}): Record<string, unknown> {
    const stack = kubeconfigStack();
    const [first] = stack.services as Record<string, unknown>[];
    return { ...stack, nodeGroups, services: [{ ...first, ...service }] };
}

function problems(config: Record<string, unknown>): string[] {
    return configProblems(() => parseConfig(config, { stack: "test" }));
}

const gpu = (name: string) => ({ name, instanceType: "g6.xlarge", minSize: 0, maxSize: 1 });
const cpu = { name: "system", instanceType: "m7i.large", minSize: 1, maxSize: 2 };

describe("parseConfig: a service's node group", () => {
    it("is required among several GPU groups, naming them", () => {
        expect(problems(raw([gpu("a"), gpu("b")]))).toEqual(['services[0].nodeGroup: is required when there are 2 GPU node groups. Set it to one of "a", "b".']);
    });

    it("says to add a GPU group when there is none, whether or not one is named", () => {
        expect(problems(raw([cpu]))).toContain("services[0].nodeGroup: is required when there are 0 GPU node groups. Add a GPU node group.");
        expect(problems(raw([cpu], { nodeGroup: "system" }))).toContain('services[0].nodeGroup: is a CPU node group; model services need GPUs, got "system". Add a GPU node group and name it here.');
    });

    it("lists the GPU groups when a name is like none of them", () => {
        expect(problems(raw([gpu("l4"), gpu("l40s")], { nodeGroup: "zzzzzzzz" }))).toEqual(['services[0].nodeGroup: names no node group, got "zzzzzzzz". Use one of "l4", "l40s".']);
    });
});

describe("parseConfig: an adapter without a base", () => {
    it("says it needs base, with the adapter named", () => {
        expect(problems(raw([gpu("gpu")], { adapter: "org/tuned-lora" }))).toEqual(['services[0].adapter: needs base: an adapter runs in another service\'s pods, got "org/tuned-lora". Set base to that service\'s name, or remove adapter.']);
    });
});
