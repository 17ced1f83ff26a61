import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AutoscaleMetric, defaultAutoscaleTargets, defaults, enumValues, KedaMode, ranges } from "../components/config/rules";

/** The README rows and docs/autoscaling.md state the autoscaling rules of components/config/rules.ts. */

const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const guide = readFileSync(path.resolve(__dirname, "../docs/autoscaling.md"), "utf8");

function row(key: string): string[] {
    const line = readme.split("\n").find((l) => l.startsWith(`| \`${key}\``));
    expect(line, `README row for ${key}`).toBeDefined();
    return line!.split(/(?<!\\)\|/).slice(2, -1).map((c) => c.trim());
}

const choices = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(" \\| ");

describe("autoscaling in the README and docs/autoscaling.md", () => {
    it("lists the metrics and KEDA modes with their defaults", () => {
        expect(row("services[].autoscale.metric").slice(0, 2)).toEqual([choices(enumValues(AutoscaleMetric)), `\`${defaults.autoscaleMetric}\``]);
        expect(row("autoscaling.keda").slice(0, 2)).toEqual([choices(enumValues(KedaMode)), `\`${defaults.kedaMode}\``]);
    });

    it("states the default targets, the scale-down delay and its range", () => {
        const targets = enumValues(AutoscaleMetric).map((m) => `\`${defaultAutoscaleTargets[m]}\``).join(" / ");
        expect(row("services[].autoscale.target")[1]).toBe(`${targets} by metric`);
        expect(row("services[].autoscale.scaleDownDelaySeconds").slice(0, 2)).toEqual([`${ranges.scaleDownDelaySeconds.min}…${ranges.scaleDownDelaySeconds.max}`, `\`${defaults.scaleDownDelaySeconds}\``]);
        for (const m of enumValues(AutoscaleMetric)) {
            expect(guide).toContain(`| \`${m}\``);
            expect(guide).toContain(`| \`${defaultAutoscaleTargets[m]}\``);
        }
    });

    it("states the monitoring switches' defaults", () => {
        expect(row("monitoring.prometheusOperator")[1]).toBe(`\`${defaults.prometheusOperator}\``);
        expect(row("monitoring.grafanaDashboard")[1]).toBe(`\`${defaults.grafanaDashboard}\``);
    });
});
