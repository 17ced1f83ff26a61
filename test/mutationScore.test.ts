import { describe, expect, it } from "vitest";
import { score, tallyReport } from "../scripts/mutationScore";

const mutants = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe("mutation score per layer", () => {
    const tallies = tallyReport({
        files: {
            "components/config/parse.ts": mutants("Killed", "Killed", "Survived", "CompileError"),
            "components/plan/gateway/routes.ts": mutants("Timeout", "NoCoverage", "Ignored", "RuntimeError"),
            "policies/k8s-image-pinned.ts": mutants("Killed"),
        },
    });

    it("counts killed and timed-out mutants as detected, survivors and uncovered ones against, the rest not at all", () => {
        expect(tallies.config).toEqual({ detected: 2, undetected: 1, survived: 1, noCoverage: 0 });
        expect(tallies.plan).toEqual({ detected: 1, undetected: 1, survived: 0, noCoverage: 1 });
        expect(tallies.policies).toEqual({ detected: 1, undetected: 0, survived: 0, noCoverage: 0 });
        expect(tallies.all).toEqual({ detected: 4, undetected: 2, survived: 1, noCoverage: 1 });
    });

    it("scores as Stryker does: detected over detected plus undetected", () => {
        expect(score(tallies.config)).toBeCloseTo(66.67, 2);
        expect(score(tallies.plan)).toBe(50);
        expect(score(tallies.policies)).toBe(100);
    });
});
