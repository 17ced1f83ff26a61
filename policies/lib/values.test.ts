import { unknownCheckingProxy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { unknownDuringPreview } from "./testing";
import { isUnknown, list, num, plain, record, strings, stringsWithin, unknownValue } from "./values";

describe("plain: the engine's properties as plain data", () => {
    it("copies nested objects and arrays, with unknownValue for each value not known until the update", () => {
        const props = unknownCheckingProxy({ metadata: { name: "vllm", namespace: unknownDuringPreview }, args: ["serve", unknownDuringPreview], replicas: 2 });
        expect(plain(props)).toEqual({ metadata: { name: "vllm", namespace: unknownValue }, args: ["serve", unknownValue], replicas: 2 });
        expect(isUnknown(plain(props).metadata.namespace)).toBe(true);
    });

    it("lets any other error out of a property read", () => {
        const broken = Object.defineProperty({}, "spec", {
            enumerable: true,
            get: () => {
                throw new TypeError("not readable");
            },
        });
        expect(() => plain(broken)).toThrow(new TypeError("not readable"));
    });
});

describe("num: numbers and numeric strings", () => {
    it.each([
        [2, 2],
        ["2", 2],
        ["12", 12],
        ["-3", -3],
        ["1.5", 1.5],
        ["1.25", 1.25],
        [" 2", 2],
        ["2 ", 2],
        ["\t16\n", 16],
    ])("reads %j as %d", (value, expected) => {
        expect(num(value)).toBe(expected);
    });

    it.each(["x2", "2x", "2Gi", "1.", ".5", "1.x", "1.5.5", "- 2", "", " ", "two", true, null, undefined, unknownValue, [2], { n: 2 }])("reads %j as no number", (value) => {
        expect(num(value)).toBeUndefined();
    });
});

describe("record: objects only", () => {
    it("returns an object as it is", () => {
        const labels = { app: "vllm" };
        expect(record(labels)).toBe(labels);
    });

    it.each([null, undefined, unknownValue, "object", 2, true, [], [{ app: "vllm" }]])("reads %j as no object", (value) => {
        expect(record(value)).toBeUndefined();
    });
});

describe("list and strings: arrays only", () => {
    it("list returns an array as it is and anything else as empty", () => {
        const args = ["serve", 2];
        expect(list(args)).toBe(args);
        expect([undefined, unknownValue, "serve", { 0: "serve" }].map(list)).toEqual([[], [], [], []]);
    });

    it("strings keeps the strings of an array, leaving out unknown and other elements", () => {
        expect(strings(["serve", unknownValue, 8000, null, "--port"])).toEqual(["serve", "--port"]);
        expect(strings(unknownValue)).toEqual([]);
    });
});

describe("stringsWithin: every string inside a value, with its path", () => {
    it("names array elements by index and keys by dots, or brackets when not identifiers", () => {
        const value = { data: { "envoy.yaml": "a", plain: "b" }, args: ["c", 2, ["d"]], n: 1, none: null };
        expect([...stringsWithin(value)]).toEqual([
            { path: 'data["envoy.yaml"]', value: "a" },
            { path: "data.plain", value: "b" },
            { path: "args[0]", value: "c" },
            { path: "args[2][0]", value: "d" },
        ]);
    });

    it("gives a top-level string the empty path, and starts from a given one", () => {
        expect([...stringsWithin("x")]).toEqual([{ path: "", value: "x" }]);
        expect([...stringsWithin(["x"], "spec.args")]).toEqual([{ path: "spec.args[0]", value: "x" }]);
    });
});
