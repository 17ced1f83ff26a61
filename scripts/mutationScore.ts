import { readFileSync } from "node:fs";

/**
 * Reads StrykerJS's JSON report and prints the mutation score of each layer and of all,
 * computed as Stryker does: (killed + timed out) / (killed + timed out + survived + no
 * coverage); mutants that do not compile or crash the runner are not counted. Exits 1
 * when a layer is below the threshold. Usage: tsx scripts/mutationScore.ts <report> <threshold %>
 */

/** The layers the threshold applies to, by path prefix. */
export const layers: Record<string, string> = {
    config: "components/config/",
    plan: "components/plan/",
    policies: "policies/",
};

interface Tally {
    detected: number;
    undetected: number;
    survived: number;
    noCoverage: number;
}

export function tallyReport(report: { files: Record<string, { mutants: Array<{ status: string }> }> }): Record<string, Tally> {
    const tallies: Record<string, Tally> = {};
    const add = (layer: string, status: string) => {
        const t = (tallies[layer] ??= { detected: 0, undetected: 0, survived: 0, noCoverage: 0 });
        if (status === "Killed" || status === "Timeout") {
            t.detected++;
        } else if (status === "Survived" || status === "NoCoverage") {
            t.undetected++;
            t[status === "Survived" ? "survived" : "noCoverage"]++;
        }
    };
    for (const [file, { mutants }] of Object.entries(report.files)) {
        const layer = Object.keys(layers).find((l) => file.replace(/\\/g, "/").startsWith(layers[l])) ?? "other";
        for (const m of mutants) {
            add(layer, m.status);
            add("all", m.status);
        }
    }
    return tallies;
}

export function score(t: Tally): number {
    const counted = t.detected + t.undetected;
    return counted === 0 ? 100 : (100 * t.detected) / counted;
}

if (require.main === module) {
    const [reportFile, thresholdText] = process.argv.slice(2);
    const threshold = Number(thresholdText);
    const tallies = tallyReport(JSON.parse(readFileSync(reportFile, "utf8")));
    let failed = false;
    for (const [layer, t] of Object.entries(tallies)) {
        const s = score(t);
        const below = s < threshold;
        failed ||= below;
        console.log(`${layer.padEnd(9)} ${s.toFixed(2).padStart(6)} %  (${t.detected} killed, ${t.survived} survived, ${t.noCoverage} without coverage)${below ? `  BELOW ${threshold} %` : ""}`);
    }
    process.exit(failed ? 1 : 0);
}
