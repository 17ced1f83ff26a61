import { describe, expect, it } from "vitest";
import { compare } from "./json";

describe("compare: byte order of strings, whatever the locale", () => {
    it("orders a before b, b after a, and equal strings as equal", () => {
        expect(compare("a", "b")).toBe(-1);
        expect(compare("b", "a")).toBe(1);
        expect(compare("a", "a")).toBe(0);
    });

    it("puts upper case and digits before lower case, as the code points do", () => {
        expect(["b", "a", "B", "1"].sort(compare)).toEqual(["1", "B", "a", "b"]);
        expect(compare("Z", "a")).toBe(-1);
    });
});
