import { describe, expect, it } from "vitest";
import { closest, didYouMean, editDistance } from "./didYouMean";

describe("editDistance", () => {
    it.each([
        ["abc", "abc", 0],
        ["abc", "abd", 1],
        ["abc", "ab", 1],
        ["ab", "abc", 1],
        ["", "abc", 3],
        ["abc", "", 3],
        ["ab", "ba", 1],
        ["abcd", "acbd", 1],
        ["kitten", "sitting", 3],
        ["ca", "abc", 3],
        ["instanses", "instances", 1],
    ])("%s → %s: %i", (a, b, distance) => {
        expect(editDistance(a, b)).toBe(distance);
        expect(editDistance(b, a)).toBe(distance);
    });
});

describe("closest", () => {
    it("ignores case and keeps the candidate's own spelling", () => {
        expect(closest("TEST", ["Test", "vision"])).toBe("Test");
    });

    it("accepts up to a third of the input's length in edits (at least one), no more", () => {
        expect(closest("tst", ["test"])).toBe("test");
        expect(closest("ts", ["test"])).toBeUndefined();
        expect(closest("abcdxy", ["abcdef"])).toBe("abcdef");
        expect(closest("abcxyz", ["abcdef"])).toBeUndefined();
        expect(closest("instanses", ["instances", "gpus"])).toBe("instances");
    });

    it("picks the nearest, the first of equals, and nothing from no candidates", () => {
        expect(closest("visio", ["vision", "visio2"])).toBe("vision");
        expect(closest("testa", ["testb", "testc"])).toBe("testb");
        expect(closest("gpu-l4x", ["gpu-l40s", "gpu-l4"])).toBe("gpu-l4");
        expect(closest("x", [])).toBeUndefined();
    });
});

describe("didYouMean", () => {
    it("phrases the suggestion, or gives none", () => {
        expect(didYouMean("tset", ["test", "vision"])).toBe('did you mean "test"?');
        expect(didYouMean("zzzz", ["test", "vision"])).toBeUndefined();
    });
});
